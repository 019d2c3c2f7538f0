// `kcsim calibrate power`: a chip's power figures fitted over the catalog's power cases or a
// user's measurements, with the residual of every case before and after.

#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "analysis/table.hpp"
#include "analysis/text_report.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "configs/loader/text_files.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cli/support.hpp"
#include "sim/jobs/power_calibration.hpp"

namespace kcsim::cli {
namespace {

std::string format_fit(const PowerFitResult& fit) {
  std::string out = fmt::format(
      "chip {}: {} cases, {} evaluations, misfit (sum of (error / "
      "tolerance)^2, steeper past 0.9) {:.3g} -> {:.3g}\n",
      fit.chip, fit.cases.size(), fit.evaluations, fit.objective_before, fit.objective_after);
  Table figures({"figure", "before", "fitted"});
  for (const auto& [field, value] : fit.after) {
    auto before = fit.before.find(field);
    figures.add_row({"power." + field,
                     before == fit.before.end() ? "" : fmt::format("{:.4g}", before->second),
                     fmt::format("{:.4g}", value)});
  }
  out += figures.str();
  Table cases(
      {"case", "metric", "published", "before", "error", "fitted", "error", "tolerance", "ok"});
  int passed = 0;
  for (size_t i = 0; i < fit.rows_after.size(); ++i) {
    const auto& b = fit.rows_before[i];
    const auto& a = fit.rows_after[i];
    passed += a.within_tolerance() ? 1 : 0;
    cases.add_row(
        {a.name, validation_metric_label(a), fmt::format("{:.4g}", a.published),
         b.error.empty() ? fmt::format("{:.4g}", b.simulated) : "error", validation_error_text(b),
         a.error.empty() ? fmt::format("{:.4g}", a.simulated) : "error", validation_error_text(a),
         validation_tolerance_text(a), a.within_tolerance() ? "yes" : "no"});
  }
  out += cases.str();
  out +=
      fmt::format("{} of {} cases within tolerance after the fit\n", passed, fit.rows_after.size());
  for (const auto& row : fit.rows_after) {
    if (!row.error.empty()) out += fmt::format("{}: {}\n", row.name, row.error);
  }
  return out;
}

Json fit_json(const PowerFitResult& fit) {
  Json cases = Json::array();
  for (size_t i = 0; i < fit.rows_after.size(); ++i) {
    const auto& b = fit.rows_before[i];
    const auto& a = fit.rows_after[i];
    Json c{{"name", a.name},
           {"metric", a.metric},
           {"ratio", a.ratio},
           {"published", a.published},
           {"within_tolerance", a.within_tolerance()}};
    if (b.error.empty()) c["before"] = b.simulated;
    if (a.error.empty()) c["fitted"] = a.simulated;
    if (!a.error.empty()) c["error"] = a.error;
    if (a.tolerance_abs > 0) {
      c["tolerance_abs"] = a.tolerance_abs;
    } else {
      c["tolerance"] = a.tolerance;
    }
    cases.push_back(std::move(c));
  }
  Json before = Json::object(), after = Json::object();
  for (const auto& [k, v] : fit.before) before[k] = v;
  for (const auto& [k, v] : fit.after) after[k] = v;
  return Json{{"chip", fit.chip},
              {"evaluations", fit.evaluations},
              {"objective_before", fit.objective_before},
              {"objective_after", fit.objective_after},
              {"power_before", before},
              {"power_fitted", after},
              {"cases", cases}};
}

}  // namespace

int calibrate(const CalibrateOptions& o, std::ostream& out) {
  if (o.what != "power") {
    throw_input_error(Origin{}, "calibrate",
                      fmt::format("unknown target \"{}\"; available: power", o.what));
  }
  if (o.max_evaluations < 10) {
    throw_input_error(Origin{}, "--max-evaluations", "must be at least 10");
  }
  auto catalog = catalog_of(o.common);
  if (!o.out.empty()) {
    // The fit reads the measurements and the catalog: -o writes none of them (--write updates
    // the catalog's chip files, on purpose).
    std::vector<std::filesystem::path> inputs = catalog.files("chips");
    for (const auto& file : catalog.files("validation")) inputs.push_back(file);
    if (!o.measurements.empty()) inputs.push_back(o.measurements);
    check_outputs({{o.out, "-o"}}, inputs);
  }
  std::map<std::string, std::vector<ValidationCaseFile>> families;
  if (!o.measurements.empty()) {
    if (o.chip.empty()) {
      throw_input_error(Origin{}, "--chip", "name the chip the measurements fit (--chip)");
    }
    families[catalog.chip_root(o.chip)] = measurement_cases(o.measurements, catalog);
  } else {
    families = cases_by_family(catalog);
    if (!o.chip.empty()) {
      std::string family = catalog.chip_root(o.chip);
      auto it = families.find(family);
      if (it == families.end()) {
        throw_input_error(Origin{}, "--chip",
                          fmt::format("no case in {} runs on chip {} or its variants",
                                      (catalog.root() / "validation").string(), o.chip));
      }
      auto only = std::move(it->second);
      families.clear();
      families[family] = std::move(only);
    }
  }
  if (!o.out.empty() && families.size() != 1) {
    throw_input_error(Origin{}, "-o", "writes one chip file: name the chip with --chip");
  }
  PowerFitOptions options;
  options.max_evaluations = o.max_evaluations;
  options.fields = o.fields;
  std::vector<PowerFitResult> fits;
  for (const auto& [family, cases] : families) {
    fits.push_back(fit_chip_power(catalog, family, cases, options));
  }
  // Every fit is done before a file is written: a failure leaves the catalog as it was.
  for (const auto& fit : fits) {
    auto path = catalog.root() / "chips" / (fit.chip + ".textproto");
    std::string text = with_power_fields(config::read_text_file(path), fit.after);
    if (o.write)
      write_file_atomically({path, "--write"}, [&](std::ostream& file) { file << text; });
    if (!o.out.empty())
      write_file_atomically({o.out, "-o"}, [&](std::ostream& file) { file << text; });
  }
  if (o.common.json) {
    Json j = Json::array();
    for (const auto& fit : fits) j.push_back(fit_json(fit));
    print_json(out, Json{{"fits", j}});
    return 0;
  }
  for (const auto& fit : fits) out << format_fit(fit) << "\n";
  if (o.write)
    out << "wrote the fitted figures into " << (catalog.root() / "chips").string() << "\n";
  if (!o.out.empty()) out << "wrote the fitted chip file to " << o.out << "\n";
  return 0;
}

}  // namespace kcsim::cli

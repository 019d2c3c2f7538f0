#include "sim/jobs/power_calibration.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "configs/loader/dtype.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/run_control.hpp"
#include "configs/loader/text_files.hpp"

namespace kcsim {
namespace {

namespace pb = google::protobuf;

const pb::FieldDescriptor* power_field(const std::string& name) {
  const auto* field = config::Power::descriptor()->FindFieldByName(name);
  if (!field || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_DOUBLE || field->is_repeated()) {
    throw InputError(
        fmt::format("calibrate: \"{}\" is not a number of a chip's power block", name));
  }
  return field;
}

double get_power(const config::Chip& chip, const std::string& name) {
  return chip.power().GetReflection()->GetDouble(chip.power(), power_field(name));
}

void set_power(config::Chip& chip, const std::string& name, double value) {
  auto* power = chip.mutable_power();
  power->GetReflection()->SetDouble(power, power_field(name), value);
}

// A case's residual in units of its tolerance; a case that cannot run counts as far off.
double residual(const ValidationRow& row) {
  if (!row.error.empty()) return 10;
  if (row.tolerance_abs > 0) return row.absolute_error() / row.tolerance_abs;
  return row.relative_error() / std::max(row.tolerance, 1e-9);
}

// Least squares in units of tolerance, plus a steep wall past 90 % of each tolerance: a set of
// figures that passes every case beats one that fits most cases closely and breaks one.
double objective(const std::vector<ValidationRow>& rows) {
  double sum = 0;
  for (const auto& row : rows) {
    double r = residual(row);
    double beyond = std::max(0.0, std::fabs(r) - 0.9);
    sum += r * r + 25 * beyond * beyond;
  }
  return sum;
}

// Evaluates the cases with the family's chip at given figures.
class Evaluator {
 public:
  Evaluator(const config::Catalog& catalog, std::string family,
            const std::vector<ValidationCaseFile>& cases, std::vector<PowerFitParameter> params)
      : catalog_(catalog),
        family_(std::move(family)),
        cases_(cases),
        params_(std::move(params)),
        base_(catalog.chip(family_)) {
    // A fitted matrix_w carries vector_w with it at the file's ratio (vector work is not
    // separable from the cases).
    fitting_matrix_ = std::any_of(params_.begin(), params_.end(),
                                  [](const auto& p) { return p.field == "matrix_w"; });
    bool fitting_vector = std::any_of(params_.begin(), params_.end(),
                                      [](const auto& p) { return p.field == "vector_w"; });
    if (fitting_matrix_ && !fitting_vector && base_.power().has_vector_w() &&
        base_.power().matrix_w() > 0) {
      vector_ratio_ = base_.power().vector_w() / base_.power().matrix_w();
    }
  }

  std::vector<double> start() const {
    std::vector<double> u;
    for (const auto& p : params_) {
      double v = get_power(base_, p.field);
      u.push_back(std::clamp((v - p.lo) / (p.hi - p.lo), 0.0, 1.0));
    }
    return u;
  }

  config::Chip chip_at(const std::vector<double>& u) const {
    config::Chip chip = base_;
    for (size_t i = 0; i < params_.size(); ++i) {
      double x = params_[i].lo + std::clamp(u[i], 0.0, 1.0) * (params_[i].hi - params_[i].lo);
      set_power(chip, params_[i].field, x);
    }
    if (fitting_matrix_ && vector_ratio_ > 0) {
      chip.mutable_power()->set_vector_w(chip.power().matrix_w() * vector_ratio_);
    }
    return chip;
  }

  std::map<std::string, double> values(const std::vector<double>& u) const {
    config::Chip chip = chip_at(u);
    std::map<std::string, double> out;
    for (const auto& p : params_) out[p.field] = get_power(chip, p.field);
    if (fitting_matrix_ && vector_ratio_ > 0) out["vector_w"] = chip.power().vector_w();
    return out;
  }

  std::vector<ValidationRow> rows(const std::vector<double>& u) {
    ++evaluations_;
    config::Catalog trial = catalog_.with_chip(family_, chip_at(u));
    std::vector<ValidationRow> out;
    out.reserve(cases_.size());
    for (const auto& c : cases_) {
      throw_if_interrupted();
      try {
        out.push_back(run_validation_case(c, trial));
      } catch (const InputError& e) {
        // Figures the chip model rejects (a held floor above the TDP) are out of bounds.
        ValidationRow row;
        row.name = c.spec.name();
        row.error = e.what();
        out.push_back(row);
      }
    }
    return out;
  }

  double operator()(const std::vector<double>& u) { return objective(rows(u)); }
  int evaluations() const { return evaluations_; }

 private:
  const config::Catalog& catalog_;
  std::string family_;
  const std::vector<ValidationCaseFile>& cases_;
  std::vector<PowerFitParameter> params_;
  config::Chip base_;
  bool fitting_matrix_ = false;
  double vector_ratio_ = 0;
  int evaluations_ = 0;
};

// Nelder-Mead over the unit cube (points clamped into it), from `start` with a first simplex of
// edge `step`.
std::vector<double> nelder_mead(Evaluator& f, std::vector<double> start, int max_evaluations,
                                double step) {
  const size_t n = start.size();
  if (n == 0) return start;
  auto clamp01 = [](std::vector<double> x) {
    for (auto& v : x) v = std::clamp(v, 0.0, 1.0);
    return x;
  };
  std::vector<std::vector<double>> simplex{start};
  for (size_t i = 0; i < n; ++i) {
    auto p = start;
    p[i] += p[i] < 1 - step ? step : -step;
    simplex.push_back(clamp01(p));
  }
  std::vector<double> value;
  for (const auto& p : simplex) value.push_back(f(p));
  while (f.evaluations() < max_evaluations) {
    std::vector<size_t> order(n + 1);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return value[a] < value[b]; });
    std::vector<std::vector<double>> s;
    std::vector<double> v;
    for (size_t i : order) {
      s.push_back(simplex[i]);
      v.push_back(value[i]);
    }
    simplex = s;
    value = v;
    if (value[n] - value[0] < 1e-9 * (1 + value[0])) break;
    std::vector<double> centroid(n, 0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t d = 0; d < n; ++d) centroid[d] += simplex[i][d] / n;
    }
    auto along = [&](double t) {
      std::vector<double> p(n);
      for (size_t d = 0; d < n; ++d) p[d] = centroid[d] + t * (simplex[n][d] - centroid[d]);
      return clamp01(p);
    };
    auto reflected = along(-1);
    double fr = f(reflected);
    if (fr < value[0]) {
      auto expanded = along(-2);
      double fe = f(expanded);
      if (fe < fr) {
        simplex[n] = expanded;
        value[n] = fe;
      } else {
        simplex[n] = reflected;
        value[n] = fr;
      }
    } else if (fr < value[n - 1]) {
      simplex[n] = reflected;
      value[n] = fr;
    } else {
      auto contracted = fr < value[n] ? along(-0.5) : along(0.5);
      double fc = f(contracted);
      if (fc < std::min(fr, value[n])) {
        simplex[n] = contracted;
        value[n] = fc;
      } else {
        for (size_t i = 1; i <= n; ++i) {
          for (size_t d = 0; d < n; ++d) {
            simplex[i][d] = simplex[0][d] + 0.5 * (simplex[i][d] - simplex[0][d]);
          }
          value[i] = f(simplex[i]);
        }
      }
    }
  }
  size_t best = static_cast<size_t>(std::min_element(value.begin(), value.end()) - value.begin());
  return simplex[best];
}

}  // namespace

std::vector<PowerFitParameter> power_fit_parameters(const config::Chip& chip,
                                                    const std::vector<std::string>& fields) {
  const auto& p = chip.power();
  double range = p.tdp_w() - p.idle_w();
  double bandwidth = chip.memory().bandwidth_gb_per_s() * 1e9;
  double top_mhz = 0;
  for (const auto& s : p.dvfs()) top_mhz = std::max(top_mhz, s.frequency_mhz());
  std::vector<PowerFitParameter> all{
      {"held_above_idle_w", 0.0, 0.5 * range},
      {"matrix_w", 0.1 * range, 3.0 * range},
      {"onchip_pj_per_bit", 0.0, 2.0 * range / (8e-12 * bandwidth)},
      {"collective_w", 0.0, 0.6 * range},
      {"voltage_floor", 0.5, 1.0},
      {"voltage_floor_mhz", 0.1 * top_mhz, 0.95 * top_mhz},
  };
  if (top_mhz <= 0) all.resize(4);  // no clocks listed: no voltage curve to fit
  std::vector<PowerFitParameter> chosen;
  if (fields.empty()) return all;
  for (const auto& name : fields) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& a) { return a.field == name; });
    if (it != all.end()) {
      chosen.push_back(*it);
    } else {
      power_field(name);  // names the field when it is not a number of the block
      chosen.push_back({name, 0.0, std::max(1.0, 2 * get_power(chip, name))});
    }
  }
  return chosen;
}

std::map<std::string, std::vector<ValidationCaseFile>> cases_by_family(
    const config::Catalog& catalog) {
  std::map<std::string, std::vector<ValidationCaseFile>> families;
  for (auto& c : read_validation_cases(catalog)) {
    std::string family = catalog.chip_root(validation_case_chip(c, catalog));
    families[family].push_back(std::move(c));
  }
  return families;
}

std::vector<ValidationCaseFile> measurement_cases(const std::filesystem::path& csv,
                                                  const config::Catalog& catalog) {
  std::ifstream in(csv);
  if (!in) throw InputError(fmt::format("{}: file: cannot be opened", csv.string()));
  std::string line;
  if (!std::getline(in, line))
    throw InputError(fmt::format("{}:1: header: the file is empty", csv.string()));
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark
  std::vector<std::string> header = config::split_csv_line(line);
  static const std::vector<std::string> known{"name",
                                              "workload",
                                              "model",
                                              "cluster",
                                              "chip",
                                              "tp",
                                              "pp",
                                              "batch",
                                              "prompt_tokens",
                                              "output_tokens",
                                              "global_batch",
                                              "micro_batch",
                                              "seq_len",
                                              "dtype",
                                              "cap_w",
                                              "clock_mhz",
                                              "runtime",
                                              "dispatch_us",
                                              "step_overhead_us",
                                              "measured_time_s",
                                              "measured_power_w"};
  for (size_t c = 0; c < header.size(); ++c) {
    if (std::find(known.begin(), known.end(), header[c]) == known.end()) {
      throw InputError(fmt::format("{}:1:{}: header: unknown column \"{}\"; known: {}",
                                   csv.string(), c + 1, header[c], fmt::join(known, ", ")));
    }
  }
  std::vector<ValidationCaseFile> cases;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    auto cells = config::split_csv_line(line);
    bool blank = cells.size() == 1 && cells[0].empty();
    if (blank || cells[0].rfind('#', 0) == 0) continue;  // blank lines and comments
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < header.size(); ++c) row[header[c]] = c < cells.size() ? cells[c] : "";
    auto where = [&](const std::string& column) {
      auto it = std::find(header.begin(), header.end(), column);
      return fmt::format("{}:{}:{}", csv.string(), line_no, it - header.begin() + 1);
    };
    auto number = [&](const std::string& column, double fallback, double lo, double hi) {
      const std::string& text = row[column];
      if (text.empty()) return fallback;
      size_t used = 0;
      double value = 0;
      try {
        value = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || !(value >= lo && value <= hi)) {
        throw InputError(fmt::format("{}: {}: \"{}\" is not a number in [{:g}, {:g}]",
                                     where(column), column, text, lo, hi));
      }
      return value;
    };
    std::string workload = row["workload"];
    if (workload != "prefill" && workload != "decode" && workload != "serve" &&
        workload != "train") {
      throw InputError(fmt::format("{}: workload: \"{}\" is not prefill, decode, serve or train",
                                   where("workload"), workload));
    }
    if (row["model"].empty()) throw InputError(fmt::format("{}: model: missing", where("model")));
    double time_s = number("measured_time_s", 0, 0, 1e9);
    double power_w = number("measured_power_w", 0, 0, 1e7);
    if (time_s <= 0 && power_w <= 0) {
      throw InputError(fmt::format("{}: measured_time_s, measured_power_w: a row needs one of them",
                                   where("workload")));
    }
    config::ValidationCase base;
    std::string name =
        row["name"].empty() ? fmt::format("{}-line-{}", csv.stem().string(), line_no) : row["name"];
    base.mutable_source()->set_kind("measurement");
    base.mutable_source()->set_citation(fmt::format("{} line {}", csv.string(), line_no));
    if (!row["cluster"].empty()) {
      base.set_cluster_name(row["cluster"]);
    } else {
      if (row["chip"].empty()) {
        throw InputError(fmt::format("{}: cluster, chip: a row needs one of them", where("model")));
      }
      catalog.chip(row["chip"], Origin{where("chip"), 0, 0});
      for (const auto& cluster : catalog.names("clusters")) {
        if (catalog.cluster(cluster).node().chip() == row["chip"]) {
          base.set_cluster_name(cluster);
          break;
        }
      }
      if (!base.has_cluster_name()) {
        throw InputError(
            fmt::format("{}: chip: no catalog cluster is built from \"{}\"; give a "
                        "cluster column",
                        where("chip"), row["chip"]));
      }
    }
    auto dtype = parse_dtype(row["dtype"].empty() ? "bf16" : row["dtype"]);
    if (!dtype)
      throw InputError(fmt::format("{}: dtype: unknown \"{}\"", where("dtype"), row["dtype"]));
    // The row's stack: a runtime profile, with its dispatch and step costs where the row gives
    // them (the job's default profile otherwise).
    config::Runtime runtime;
    if (!row["runtime"].empty()) {
      auto known = catalog.names("runtimes");
      if (std::find(known.begin(), known.end(), row["runtime"]) == known.end()) {
        throw InputError(fmt::format("{}: runtime: unknown runtime \"{}\"; the catalog has: {}",
                                     where("runtime"), row["runtime"], fmt::join(known, ", ")));
      }
      runtime.set_profile(row["runtime"]);
    }
    if (!row["dispatch_us"].empty()) runtime.set_dispatch_us(number("dispatch_us", 0, 0, 1e6));
    if (!row["step_overhead_us"].empty()) {
      runtime.set_step_overhead_us(number("step_overhead_us", 0, 0, 1e9));
    }
    double cap = number("cap_w", 0, 0, 1e6), clock = number("clock_mhz", 0, 0, 1e5);
    int tp = static_cast<int>(number("tp", 1, 1, 1 << 16));
    std::string time_metric, power_metric;
    if (workload == "train") {
      auto* job = base.mutable_training();
      job->set_model(row["model"]);
      job->set_dtype(*dtype);
      job->set_global_batch(static_cast<int64_t>(number("global_batch", 8, 1, 1e9)));
      job->set_micro_batch(static_cast<int64_t>(number("micro_batch", 1, 1, 1e9)));
      job->set_seq_len(static_cast<int64_t>(number("seq_len", 2048, 1, 1e9)));
      job->mutable_plan()->set_tp(tp);
      job->mutable_plan()->set_pp(static_cast<int>(number("pp", 1, 1, 1 << 16)));
      job->set_device_power_cap_w(cap);
      job->set_device_clock_mhz(clock);
      *job->mutable_runtime() = runtime;
      time_metric = "iteration_time_s";
      power_metric = "avg_device_power_w";
    } else {
      auto* job = base.mutable_serving();
      job->set_model(row["model"]);
      job->set_dtype(*dtype);
      job->set_tp(tp);
      job->set_replicas(1);
      job->set_batch_size(static_cast<int>(number("batch", 1, 1, 1e6)));
      job->set_prompt_tokens(static_cast<int64_t>(number("prompt_tokens", 512, 1, 1e9)));
      job->set_output_tokens(static_cast<int64_t>(number("output_tokens", 128, 1, 1e9)));
      job->set_device_power_cap_w(cap);
      job->set_device_clock_mhz(clock);
      *job->mutable_runtime() = runtime;
      time_metric = workload == "prefill" ? "ttft_s" : workload == "decode" ? "tpot_s" : "e2e_s";
      power_metric = workload == "prefill"  ? "prefill_device_power_w"
                     : workload == "decode" ? "decode_device_power_w"
                                            : "avg_device_power_w";
    }
    base.set_tolerance(0.10);
    auto add = [&](const std::string& metric, double published, const char* suffix) {
      config::ValidationCase c = base;
      c.set_name(name + suffix);
      c.set_metric(metric);
      c.set_published(published);
      cases.push_back({csv, std::move(c),
                       config::LoadedFile::unlocated(fmt::format("{}:{}", csv.string(), line_no),
                                                     config::ValidationCase::descriptor())});
    };
    if (time_s > 0) add(time_metric, time_s, "-time");
    if (power_w > 0) add(power_metric, power_w, "-power");
  }
  if (cases.empty()) throw InputError(fmt::format("{}: no measurement rows", csv.string()));
  return cases;
}

PowerFitResult fit_chip_power(const config::Catalog& catalog, const std::string& family,
                              const std::vector<ValidationCaseFile>& cases,
                              const PowerFitOptions& options) {
  config::Chip chip = catalog.chip(family);
  auto params = power_fit_parameters(chip, options.fields);
  Evaluator f(catalog, family, cases, params);
  PowerFitResult result;
  result.chip = family;
  for (const auto& c : cases) result.cases.push_back(c.spec.name());
  auto start = f.start();
  result.before = f.values(start);
  result.rows_before = f.rows(start);
  result.objective_before = objective(result.rows_before);
  // Rounds of the search, each a fresh simplex at the best point so far, its first edge
  // alternating between wide and narrow, until a round no longer helps or the budget is spent.
  auto best = start;
  double best_value = f(best);
  for (int round = 0; f.evaluations() < options.max_evaluations; ++round) {
    double step = round % 2 == 0 ? 0.25 : 0.05;
    auto next = nelder_mead(f, best, options.max_evaluations, step);
    double value = f(next);
    bool better = value < best_value - 1e-9 * (1 + best_value);
    if (value < best_value) {
      best = next;
      best_value = value;
    }
    if (!better && round >= 3) break;
  }
  result.after = f.values(best);
  result.rows_after = f.rows(best);
  result.objective_after = objective(result.rows_after);
  if (result.objective_after > result.objective_before) {  // never worse than the start
    result.after = result.before;
    result.rows_after = result.rows_before;
    result.objective_after = result.objective_before;
  }
  result.evaluations = f.evaluations();
  return result;
}

std::string with_power_fields(const std::string& text,
                              const std::map<std::string, double>& values) {
  std::istringstream in(text);
  std::string line, out;
  int depth = 0;
  bool in_power = false;
  static const std::regex field_line(R"(^(\s*)([a-z_]+)\s*:\s*[-+0-9.eE]+\s*$)");
  auto format = [](double v) { return fmt::format("{:.4g}", v); };
  while (std::getline(in, line)) {
    std::smatch m;
    if (depth == 0 && line.rfind("power {", 0) == 0) in_power = true;
    if (in_power && depth == 1 && std::regex_match(line, m, field_line)) {
      // Copies: `line` is rewritten below and the match points into it.
      const std::string indent = m[1].str(), field = m[2].str();
      auto it = values.find(field);
      if (it != values.end()) {
        line = indent + field + ": " + format(it->second);
      }
      if (field == "tdp_w") {
        out += line + "\n";
        for (const auto& [name, value] : values) {
          if (text.find("  " + name + ":") == std::string::npos) {
            out += indent + name + ": " + format(value) + "\n";
          }
        }
        continue;
      }
    }
    for (char c : line) {
      if (c == '{') ++depth;
      if (c == '}') --depth;
    }
    if (in_power && depth == 0) in_power = false;
    out += line + "\n";
  }
  return out;
}

}  // namespace kcsim

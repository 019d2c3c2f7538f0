// `kcsim chips`, `kcsim models`, `kcsim run`, `kcsim validate` and the demo.
#include <algorithm>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/json_writer.hpp"
#include "analysis/table.hpp"
#include "analysis/text_report.hpp"
#include "configs/loader/dtype.hpp"
#include "configs/loader/errors.hpp"
#include "hw-models/chip_model.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cli/support.hpp"
#include "sim/cost/collective_algorithm.hpp"
#include "sim/cost/runtime_spec.hpp"
#include "sim/cost/serving_load_options.hpp"
#include "sim/jobs/scenario_runner.hpp"
#include "sim/jobs/validation_runner.hpp"
#include "workloads/model_shape.hpp"
#include "workloads/serving/batch_policy.hpp"
#include "workloads/serving/router.hpp"

namespace kcsim::cli {
namespace {

// A proto message as JSON with the schema's own field names (units included).
Json proto_json(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  return Json::parse(text);
}

std::string peak_of(const ChipModel& chip, Dtype dtype) {
  return chip.supports(dtype) ? fmt::format("{:g}", chip.peak_ops_per_s(dtype) / 1e12) : "-";
}

// What a training stack hides: scattered pipeline sends, backward TP collectives beside GEMMs.
std::string training_overlaps(const config::Runtime& r) {
  std::vector<std::string> parts;
  if (r.pipeline_scatter_gather()) parts.emplace_back("pp scatter/gather");
  if (r.tp_backward_overlap()) parts.emplace_back("tp backward");
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

int chips(const Common& common, std::ostream& out) {
  auto catalog = catalog_of(common);
  Json all = Json::array();
  Table table({"chip", "vendor", "bf16 TF", "fp16 TF", "fp8 TF", "int8 TOPS", "memory GiB", "GB/s",
               "TDP W", "trains"});
  for (const auto& name : catalog.names("chips")) {
    ChipModel chip(catalog.chip(name));
    const auto& c = chip.config();
    all.push_back(proto_json(c));
    table.add_row({name, c.vendor(), peak_of(chip, config::BF16), peak_of(chip, config::FP16),
                   peak_of(chip, config::FP8), peak_of(chip, config::INT8),
                   fmt::format("{:g}", c.memory().capacity_gib()),
                   fmt::format("{:g}", c.memory().bandwidth_gb_per_s()),
                   fmt::format("{:g}", c.power().tdp_w()), chip.trains() ? "yes" : "no"});
  }
  if (common.json) {
    print_json(out, Json{{"chips", all}});
    return 0;
  }
  out << table.str();
  out << "\nSources of every figure: kcsim chips --json, or configs/chips/NAME.textproto\n"
         "trains: no means an inference chip; a training job on it exits 3\n";
  return 0;
}

int models(const Common& common, std::ostream& out) {
  auto catalog = catalog_of(common);
  Json all = Json::array();
  Table table({"model", "layers", "hidden", "heads", "kv heads", "ffn", "vocab", "experts",
               "parameters B", "published B"});
  for (const auto& name : catalog.names("models")) {
    config::Model m = catalog.model(name);
    ModelShape shape = ModelShape::from_config(m);
    Json j = proto_json(m);
    j["parameters"] = parameter_count(shape);
    j["active_parameters"] = active_parameter_count(shape);
    all.push_back(std::move(j));
    table.add_row(
        {name, std::to_string(shape.layers), std::to_string(shape.hidden),
         std::to_string(shape.heads), std::to_string(shape.kv_heads),
         std::to_string(shape.ffn_hidden), std::to_string(shape.vocab),
         shape.is_moe() ? fmt::format("{} (top {})", shape.experts, shape.experts_top_k) : "-",
         fmt::format("{:.2f}", parameter_count(shape) / 1e9),
         m.has_published_params_b() ? fmt::format("{:g}", m.published_params_b()) : "-"});
  }
  if (common.json) {
    print_json(out, Json{{"models", all}});
    return 0;
  }
  out << table.str();
  return 0;
}

int runtimes(const Common& common, std::ostream& out) {
  auto catalog = catalog_of(common);
  Json all = Json::array();
  Table table({"runtime", "dispatch us", "step us", "kernel gap us", "collective floor us",
               "sampling us", "max seqs", "max tokens", "training overlaps", "stack"});
  for (const auto& name : catalog.names("runtimes")) {
    config::Runtime r = runtime_profile(name, catalog);
    Json j = proto_json(r);
    j["profile"] = name;
    all.push_back(std::move(j));
    table.add_row({name, fmt::format("{:g}", r.dispatch_us()),
                   fmt::format("{:g}", r.step_overhead_us()),
                   r.has_kernel_gap_us() ? fmt::format("{:g}", r.kernel_gap_us()) : "chip's",
                   fmt::format("{:g}", r.collective_floor_us()),
                   fmt::format("{:g}", r.sampling_us()), std::to_string(r.max_running_sequences()),
                   std::to_string(r.max_batched_tokens()), training_overlaps(r), r.name()});
  }
  if (common.json) {
    print_json(out, Json{{"runtimes", all}});
    return 0;
  }
  out << table.str();
  return 0;
}

int policies(const Common& common, std::ostream& out) {
  // Each registry's entries as JSON objects and as text lines: name, then what it does.
  Json schedulers = Json::array(), routers = Json::array(), algorithms = Json::array();
  std::string text;
  auto line = [&text](std::string_view name, std::string_view what) {
    text += fmt::format("  {:<19}{}\n", name, what);
  };
  text += fmt::format("Serving schedulers (--scheduler, serving.load.scheduler; default {})\n",
                      ServingLoadOptions{}.policy);
  for (const auto& entry : serving::batch_policies()) {
    schedulers.push_back({{"name", entry.name}, {"summary", entry.summary}});
    line(entry.name, entry.summary);
  }
  const std::string pools = "prefill and decode pools (--prefill-replicas), continuous in each";
  schedulers.push_back({{"name", kDisaggregated}, {"summary", pools}});
  line(kDisaggregated, pools);
  text += fmt::format("\nRouters (--router, serving.load.router; default {})\n",
                      ServingLoadOptions{}.router);
  for (const auto& entry : serving::router_policies()) {
    routers.push_back({{"name", entry.name}, {"summary", entry.summary}});
    line(entry.name, entry.summary);
  }
  text +=
      "\nAll-reduce between servers (--collective-algorithm, collective_algorithm; default auto: "
      "the fastest of those marked auto, for each size and group)\n";
  for (const auto& entry : collective_algorithms()) {
    algorithms.push_back(
        {{"name", entry.name}, {"summary", entry.summary}, {"in_auto", entry.tuned}});
    line(entry.name, fmt::format("{}{}", entry.tuned ? "[auto] " : "", entry.summary));
  }
  if (common.json) {
    print_json(out, Json{{"schedulers", schedulers},
                         {"routers", routers},
                         {"collective_algorithms", algorithms}});
  } else {
    out << text;
  }
  return 0;
}

int run(const std::string& scenario, const Common& common, std::ostream& out) {
  auto catalog = catalog_of(common);
  ScenarioResult result = run_scenario_file(scenario, catalog);
  if (common.json) {
    print_json(out, to_json(result));
    return 0;
  }
  // A one-cluster, one-workload scenario prints the full report; comparisons print the table.
  if (result.runs.size() == 1 &&
      result.runs[0].training.has_value() != result.runs[0].serving.has_value()) {
    const auto& only = result.runs[0];
    out << (only.training ? format_training(*only.training) : format_serving(*only.serving));
    out << format_claims(result);
    return 0;
  }
  out << format_scenario(result);
  return 0;
}

int demo(const Common& common, std::ostream& out) {
  auto root = common.configs.empty() ? config::Catalog::default_root()
                                     : std::filesystem::path(common.configs);
  return run((root / "scenarios" / "kcloud-demo.textproto").string(), common, out);
}

int validate(const Common& common, const std::string& only_case, std::ostream& out) {
  auto rows = run_validation(catalog_of(common));
  if (!only_case.empty()) {
    auto it = std::find_if(rows.begin(), rows.end(),
                           [&](const ValidationRow& row) { return row.name == only_case; });
    if (it == rows.end()) {
      std::vector<std::string> names;
      for (const auto& row : rows) names.push_back(row.name);
      throw_input_error(Origin{}, "--case",
                        fmt::format("no validation case \"{}\"; the cases are: {}", only_case,
                                    fmt::join(names, ", ")));
    }
    rows = {*it};
  }
  if (common.json)
    print_json(out, to_json(rows));
  else
    out << format_validation(rows);
  if (!only_case.empty() && !common.json) {
    const auto& row = rows.front();
    if (const auto* training = std::get_if<TrainingResult>(&row.run)) {
      out << "\n" << format_training(*training);
    }
    if (const auto* serving = std::get_if<ServingResult>(&row.run)) {
      out << "\n" << format_serving(*serving);
    }
  }
  for (const auto& row : rows) {
    if (!row.within_tolerance()) return 1;
  }
  return 0;
}

}  // namespace kcsim::cli

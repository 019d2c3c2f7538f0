// `kcsim run FILE` from text to a resolved scenario, without running it. The steps follow
// run_scenario (sim/scenario_runner.cpp) and the job runners (sim/jobs.cpp) up to where they
// hand a checked plan to an engine; keep them in step with those files.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "configs/loader/catalog.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/field_checks.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster_model.hpp"
#include "sim/jobs.hpp"
#include "sim/layer_workload.hpp"
#include "sim/serving_load_job.hpp"
#include "sim/serving_spec.hpp"
#include "sim/training_spec.hpp"
#include "tests/fuzz/fuzz_inputs.hpp"

namespace kcsim::fuzz {
namespace {

// The scenario's clusters, inline, by catalog name and by catalog reference, each with the
// field path it was written at (scenario_clusters in sim/scenario_runner.cpp).
std::vector<std::pair<config::Cluster, std::string>> clusters_of(const config::Scenario& scenario,
                                                                 const config::Catalog& catalog,
                                                                 const config::LoadedFile& file) {
  std::vector<std::pair<config::Cluster, std::string>> clusters;
  for (int i = 0; i < scenario.clusters_size(); ++i) {
    clusters.emplace_back(scenario.clusters(i), fmt::format("clusters[{}]", i));
  }
  for (int i = 0; i < scenario.cluster_names_size(); ++i) {
    std::string path = fmt::format("cluster_names[{}]", i);
    config::Cluster cluster = catalog.cluster(scenario.cluster_names(i), file.locate(path));
    if (cluster.name().empty()) cluster.set_name(scenario.cluster_names(i));
    clusters.emplace_back(std::move(cluster), path);
  }
  for (int i = 0; i < scenario.cluster_refs_size(); ++i) {
    const auto& ref = scenario.cluster_refs(i);
    std::string path = fmt::format("cluster_refs[{}]", i);
    config::Cluster cluster = catalog.cluster(ref.catalog(), file.locate(path + ".catalog"));
    cluster.set_name(ref.has_name() ? ref.name() : ref.catalog());
    if (ref.has_nodes()) {
      if (ref.nodes() < 1) {
        throw_input_error(file.locate(path + ".nodes"), "nodes",
                          fmt::format("must be positive (got {})", ref.nodes()));
      }
      cluster.set_nodes(ref.nodes());
    }
    if (ref.has_chip_overrides()) {
      cluster.mutable_node()->mutable_chip_overrides()->MergeFrom(ref.chip_overrides());
    }
    if (ref.has_facility()) *cluster.mutable_facility() = ref.facility();
    clusters.emplace_back(std::move(cluster), path);
  }
  if (clusters.empty()) {
    throw_input_error(file.locate(""), "clusters", "a scenario needs at least one cluster");
  }
  return clusters;
}

// fit_to_budget in sim/scenario_runner.cpp.
void fit_to_budget(config::Cluster& cluster, const ClusterModel& model, double budget_kw) {
  double server_w = model.tiers.devices_per_node * model.chip.tdp_w() + model.server_overhead_w();
  int nodes = static_cast<int>(std::floor(budget_kw * 1000 / server_w));
  if (nodes < 1) {
    throw InfeasibleError(
        fmt::format("one {} server draws {:.1f} kW, more than the {:.1f} kW budget", model.name,
                    server_w / 1000, budget_kw));
  }
  cluster.set_nodes(nodes);
}

// plan_training_job in sim/jobs.cpp, without pricing the plan or searching for one.
void resolve_training(const config::TrainingJob& job, const ClusterModel& cluster,
                      const config::Catalog& catalog, const JobOrigin& origin) {
  ModelShape model = resolve_model(job.model(), job.model_overrides(), catalog, origin);
  TrainingSpec spec;
  try {
    spec = make_training_spec(job, model, cluster.devices());
    if (job.allow_equivalent_dtype()) spec.dtype = cluster.chip.equivalent_dtype(spec.dtype);
  } catch (const InputError& e) {
    throw InputError(origin.at("").str() + ": " + e.what());
  }
  if (!job.auto_plan()) check_training_plan(spec, cluster);
}

// run_serving_job in sim/jobs.cpp, up to the engine: the replica checked, the load's options
// read (its request stream is not drawn; read_request_trace has an entry point of its own).
void resolve_serving(const config::ServingJob& job, const ClusterModel& cluster,
                     const config::Catalog& catalog, const JobOrigin& origin) {
  ModelShape model = resolve_model(job.model(), job.model_overrides(), catalog, origin);
  ServingSpec spec;
  try {
    spec = make_serving_spec(job, model, cluster);
    if (job.allow_equivalent_dtype()) {
      spec.dtype = cluster.chip.equivalent_dtype(spec.dtype);
      if (!job.has_kv_dtype()) spec.kv_dtype = spec.dtype;
    }
  } catch (const InputError& e) {
    throw InputError(origin.at("").str() + ": " + e.what());
  }
  check_serving_plan(spec, cluster);
  if (job.has_load()) serving_load_options(job.load(), origin);
}

}  // namespace

void resolve_scenario(std::string_view bytes) {
  auto first = bytes.find_first_not_of(" \t\r\n");
  bool json = first != std::string_view::npos && bytes[first] == '{';
  config::Scenario scenario;
  auto file = config::LoadedFile::parse_text(std::string(bytes),
                                             json ? "fuzz.json" : "fuzz.textproto", &scenario);
  resolve_scenario(scenario, file);
}

void resolve_scenario(const config::Scenario& scenario, const config::LoadedFile& file) {
  static const config::Catalog catalog(config::Catalog::default_root());
  config::check_fields(scenario, [&](std::string_view field) { return file.locate(field); });
  if (!scenario.has_training() && !scenario.has_serving() && !scenario.has_layer_workload()) {
    throw_input_error(file.locate(""), "training, serving, layer_workload",
                      "a scenario needs a training, a serving or a layer workload");
  }
  if (scenario.engine() != "analytical" && scenario.engine() != "event") {
    throw_input_error(file.locate("engine"), "engine",
                      fmt::format("unknown engine \"{}\"", scenario.engine()));
  }
  if (scenario.engine() == "event" && scenario.has_serving()) {
    throw_input_error(file.locate("engine"), "engine", "serving runs on the analytical engine");
  }
  // As in run_scenario, a workload that cannot run on one of several clusters is that run's
  // result, and the other clusters go on.
  auto clusters = clusters_of(scenario, catalog, file);
  const bool single = clusters.size() == 1;
  auto step = [single](auto&& resolve) {
    try {
      resolve();
      return true;
    } catch (const InfeasibleError&) {
      if (single) throw;
      return false;
    }
  };
  for (auto& entry : clusters) {
    config::Cluster& cluster_config = entry.first;
    const std::string& cluster_path = entry.second;
    ClusterModel cluster = resolve_cluster(cluster_config, catalog, &file, cluster_path);
    if (scenario.it_power_budget_kw() > 0 && !step([&] {
          fit_to_budget(cluster_config, cluster, scenario.it_power_budget_kw());
          cluster = resolve_cluster(cluster_config, catalog, &file, cluster_path);
        })) {
      continue;
    }
    if (scenario.has_training()) {
      step([&] { resolve_training(scenario.training(), cluster, catalog, {&file, "training"}); });
    }
    if (scenario.has_serving()) {
      step([&] { resolve_serving(scenario.serving(), cluster, catalog, {&file, "serving"}); });
    }
    if (scenario.has_layer_workload()) {
      step([&] {
        layer_workload_spec(scenario.layer_workload(), cluster, {&file, "layer_workload"});
      });
    }
  }
}

}  // namespace kcsim::fuzz

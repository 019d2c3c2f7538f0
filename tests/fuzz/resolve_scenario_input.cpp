// `kcsim run FILE` from text to a resolved scenario, without running it: the steps of
// run_scenario (sim/jobs/scenario_runner.cpp) and the job runners (sim/jobs/jobs.cpp), through the
// same functions, up to where they would price a plan or hand it to an engine.
#include <string>

#include "configs/loader/catalog.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cluster/scenario_clusters.hpp"
#include "sim/cost/serving_spec.hpp"
#include "sim/cost/training_spec.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/jobs/layer_workload.hpp"
#include "sim/jobs/serving_load_job.hpp"
#include "tests/fuzz/fuzz_inputs.hpp"

namespace kcsim::fuzz {

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
  check_scenario(scenario, file);
  // As in run_scenario, a workload that cannot run on one of several clusters is that run's
  // result, and the other clusters go on.
  auto clusters = scenario_clusters(scenario, catalog, file);
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
      step([&] {
        const auto& job = scenario.training();
        TrainingSpec spec = training_job_spec(job, cluster, catalog, {&file, "training"});
        if (!job.auto_plan()) check_training_plan(spec, cluster);
      });
    }
    if (scenario.has_serving()) {
      step([&] {
        // The replica checked and the load's options read; its request stream is not drawn
        // (read_request_trace has an entry point of its own).
        const auto& job = scenario.serving();
        serving_job_spec(job, cluster, catalog, {&file, "serving"});
        if (job.has_load()) serving_load_options(job.load(), {&file, "serving"});
      });
    }
    if (scenario.has_layer_workload()) {
      step([&] {
        layer_workload_spec(scenario.layer_workload(), cluster, {&file, "layer_workload"});
      });
    }
  }
}

}  // namespace kcsim::fuzz

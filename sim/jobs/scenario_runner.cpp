#include "sim/jobs/scenario_runner.hpp"

#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster/scenario_clusters.hpp"
#include "sim/jobs/engine_choice.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/jobs/layer_workload.hpp"
#include "sim/jobs/scenario_claims.hpp"

namespace kcsim {

ScenarioResult run_scenario_file(const std::filesystem::path& path,
                                 const config::Catalog& catalog) {
  config::Scenario scenario;
  auto file = config::LoadedFile::parse(path, &scenario);
  return run_scenario(scenario, file, path.stem().string(), catalog);
}

ScenarioResult run_scenario(const config::Scenario& scenario, const config::LoadedFile& file,
                            const std::string& default_name, const config::Catalog& catalog) {
  check_scenario(scenario, file);
  check_claims(scenario, file);
  const Engine& engine = engine_named(scenario.engine(), file.locate("engine"), "engine");
  auto clusters = scenario_clusters(scenario, catalog, file);
  bool single = clusters.size() == 1;

  ScenarioResult result;
  result.name = scenario.name().empty() ? default_name : scenario.name();
  result.description = scenario.description();
  result.it_power_budget_kw = scenario.it_power_budget_kw();
  for (auto& [cluster_config, cluster_path] : clusters) {
    ClusterModel cluster = resolve_cluster(cluster_config, catalog, &file, cluster_path);
    ScenarioRun run;
    run.cluster = cluster.name;
    run.chip = cluster.chip.name();
    try {
      if (scenario.it_power_budget_kw() > 0) {
        fit_to_budget(cluster_config, cluster, scenario.it_power_budget_kw());
        cluster = resolve_cluster(cluster_config, catalog, &file, cluster_path);
      }
    } catch (const InfeasibleError& e) {
      if (single) throw;
      run.training_error = run.serving_error = run.layers_error = e.what();
      result.runs.push_back(std::move(run));
      continue;
    }
    run.devices = cluster.devices();
    run.peak_it_power_kw = cluster.peak_it_power_w() / 1000;
    if (scenario.has_training()) {
      try {
        run.training =
            run_training_job(scenario.training(), cluster, catalog, {&file, "training"}, engine);
      } catch (const InfeasibleError& e) {
        if (single) throw;
        run.training_error = e.what();
      }
    }
    if (scenario.has_serving()) {
      try {
        run.serving =
            run_serving_job(scenario.serving(), cluster, catalog, {&file, "serving"}, engine);
      } catch (const InfeasibleError& e) {
        if (single) throw;
        run.serving_error = e.what();
      }
    }
    if (scenario.has_layer_workload()) {
      try {
        run.layers = run_layer_workload(scenario.layer_workload(), cluster, engine,
                                        {&file, "layer_workload"});
      } catch (const InfeasibleError& e) {
        if (single) throw;
        run.layers_error = e.what();
      }
    }
    result.runs.push_back(std::move(run));
  }
  result.claims = read_claims(scenario, file, result);
  return result;
}

}  // namespace kcsim

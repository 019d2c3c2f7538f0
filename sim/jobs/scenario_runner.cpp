#include "sim/jobs/scenario_runner.hpp"

#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster/scenario_clusters.hpp"
#include "sim/jobs/engine_choice.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/jobs/layer_workload.hpp"
#include "sim/jobs/mix_plan.hpp"
#include "sim/jobs/scenario_claims.hpp"
#include "sim/jobs/shared_envelope.hpp"

namespace kcsim {

ScenarioResult run_scenario_file(const std::filesystem::path& path,
                                 const config::Catalog& catalog) {
  config::Scenario scenario;
  auto file = config::LoadedFile::parse(path, &scenario);
  return run_scenario(scenario, file, path.stem().string(), catalog);
}

namespace {

// The envelope's jobs again under their shares, from the runs alone; a job that could not run
// alone is the envelope's error.
SharedEnvelopeResult shared_envelope_of(const config::Scenario& scenario,
                                        const ScenarioResult& result,
                                        const std::vector<ClusterModel>& models,
                                        const config::Catalog& catalog,
                                        const config::LoadedFile& file, const Engine& engine) {
  const auto& envelope = scenario.shared_envelope();
  const ScenarioRun *training = nullptr, *serving = nullptr;
  const ClusterModel *training_cluster = nullptr, *serving_cluster = nullptr;
  for (size_t i = 0; i < result.runs.size(); ++i) {
    if (result.runs[i].cluster == envelope.training_cluster()) {
      training = &result.runs[i];
      training_cluster = &models[i];
    }
    if (result.runs[i].cluster == envelope.serving_cluster()) {
      serving = &result.runs[i];
      serving_cluster = &models[i];
    }
  }
  if (!training || !training->training || !serving || !serving->serving) {
    SharedEnvelopeResult failed;
    failed.policy = envelope.policy();
    failed.device_power_budget_w = envelope.device_power_budget_w();
    failed.facility_power_budget_w = envelope.facility_power_budget_w();
    failed.training.job = "training";
    failed.training.cluster = envelope.training_cluster();
    failed.serving.job = "serving";
    failed.serving.cluster = envelope.serving_cluster();
    if (training && !training->training) failed.training.error = training->training_error;
    if (serving && !serving->serving) failed.serving.error = serving->serving_error;
    return failed;
  }
  return run_shared_envelope(scenario, *training_cluster, *training->training, *serving_cluster,
                             *serving->serving, catalog, file, engine);
}

}  // namespace

ScenarioResult run_scenario(const config::Scenario& scenario, const config::LoadedFile& file,
                            const std::string& default_name, const config::Catalog& catalog) {
  check_scenario(scenario, file);
  if (scenario.has_mix_plan()) {
    ScenarioResult result;
    result.name = scenario.name().empty() ? default_name : scenario.name();
    result.description = scenario.description();
    const auto& plan = scenario.mix_plan();
    if (plan.cluster().empty()) {
      throw_input_error(file.locate("mix_plan"), "mix_plan.cluster",
                        "the cluster of several pools to plan (a catalog name, e.g. "
                        "\"kcloud-mixed\")");
    }
    config::Cluster mixed = catalog.cluster(plan.cluster(), file.locate("mix_plan.cluster"));
    result.mix_plan = plan_mix(plan, mixed, catalog, {&file, "mix_plan"});
    return result;
  }
  check_claims(scenario, file);
  const Engine& engine = engine_named(scenario.engine(), file.locate("engine"), "engine");
  auto clusters = scenario_clusters(scenario, catalog, file);
  bool single = clusters.size() == 1;
  // Side by side under one envelope, each job runs on its own cluster only.
  const bool shared = scenario.has_shared_envelope();
  const auto& envelope = scenario.shared_envelope();
  if (shared) {
    std::vector<std::string> names;
    for (const auto& [config, path] : clusters) {
      names.push_back(config.name().empty() ? config.node().chip() : config.name());
    }
    check_shared_envelope(scenario, names, file);
  }
  std::vector<ClusterModel> models;  // as each run ran, for the envelope's second runs

  ScenarioResult result;
  result.name = scenario.name().empty() ? default_name : scenario.name();
  result.description = scenario.description();
  result.it_power_budget_kw = scenario.it_power_budget_kw();
  for (auto& [cluster_config, cluster_path] : clusters) {
    ClusterModel cluster = resolve_cluster(cluster_config, catalog, &file, cluster_path);
    models.push_back(cluster);
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
    models.back() = cluster;
    if (scenario.has_training() && (!shared || cluster.name == envelope.training_cluster())) {
      try {
        run.training =
            run_training_job(scenario.training(), cluster, catalog, {&file, "training"}, engine);
      } catch (const InfeasibleError& e) {
        if (single) throw;
        run.training_error = e.what();
      }
    }
    if (scenario.has_serving() && (!shared || cluster.name == envelope.serving_cluster())) {
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
  if (shared) result.envelope = shared_envelope_of(scenario, result, models, catalog, file, engine);
  result.claims = read_claims(scenario, file, result);
  return result;
}

}  // namespace kcsim

// What a scenario file asks for, before any job runs: its header checked (a workload, a known
// engine), its clusters gathered from inline definitions and the catalog, and a cluster sized to
// the scenario's IT power budget. run_scenario and the scenario fuzz target both start here.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster/cluster_model.hpp"

namespace kcsim {

// Every value within its schema interval, a workload given, the engine one kcsim has and able
// to run the workload; errors point into `file`.
void check_scenario(const config::Scenario& scenario, const config::LoadedFile& file);

// The scenario's clusters, inline, by catalog name and by catalog reference (with its
// overrides applied), each with the field path it was written at ("cluster_refs[1]"). A
// cluster of several kinds of server gives each of its pools ("cluster:pool"), in order.
std::vector<std::pair<config::Cluster, std::string>> scenario_clusters(
    const config::Scenario& scenario, const config::Catalog& catalog,
    const config::LoadedFile& file);

// Sets `cluster`'s server count to the most whole servers that fit `budget_kw` at TDP;
// infeasible when not even one does.
void fit_to_budget(config::Cluster& cluster, const ClusterModel& model, double budget_kw);

}  // namespace kcsim

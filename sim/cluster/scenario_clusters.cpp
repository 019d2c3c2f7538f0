#include "sim/cluster/scenario_clusters.hpp"

#include <cmath>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/field_checks.hpp"

namespace kcsim {

void check_scenario(const config::Scenario& scenario, const config::LoadedFile& file) {
  // A file was checked as it was read; a scenario built in memory (a sweep point) is checked
  // here, so that every value an axis writes meets the schema too.
  config::check_fields(scenario, [&](std::string_view field) { return file.locate(field); });
  if (!scenario.has_training() && !scenario.has_serving() && !scenario.has_layer_workload()) {
    throw_input_error(file.locate(""), "training, serving, layer_workload",
                      "a scenario needs a training, a serving or a layer workload");
  }
  // The engine's name is checked where it is chosen (engine_choice.hpp); what it can run, here,
  // before any cluster is built.
  if (scenario.engine() == "event" && scenario.has_serving() && !scenario.serving().has_load()) {
    throw_input_error(file.locate("engine"), "engine",
                      "one batch per replica is priced by the analytical engine; the event engine "
                      "serves request streams (give serving.load)");
  }
}

std::vector<std::pair<config::Cluster, std::string>> scenario_clusters(
    const config::Scenario& scenario, const config::Catalog& catalog,
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
    if (ref.has_scale_out()) *cluster.mutable_scale_out() = ref.scale_out();
    clusters.emplace_back(std::move(cluster), path);
  }
  if (clusters.empty()) {
    throw_input_error(file.locate(""), "clusters", "a scenario needs at least one cluster");
  }
  return clusters;
}

void fit_to_budget(config::Cluster& cluster, const ClusterModel& model, double budget_kw) {
  double server_w = model.server_peak_w();
  int nodes = static_cast<int>(std::floor(budget_kw * 1000 / server_w));
  if (nodes < 1) {
    throw InfeasibleError(
        fmt::format("one {} server draws {:.1f} kW at TDP, more than the {:.1f} kW budget",
                    model.name, server_w / 1000, budget_kw));
  }
  cluster.set_nodes(nodes);
}

}  // namespace kcsim

#include "sim/cluster/scenario_clusters.hpp"

#include <cmath>

#include <fmt/format.h>

#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/field_checks.hpp"

namespace kcsim {

void check_scenario(const config::Scenario& scenario, const config::LoadedFile& file) {
  // A file was checked as it was read; a scenario built in memory (a sweep point) is checked
  // here, so that every value an axis writes meets the schema too.
  config::check_fields(scenario, [&](std::string_view field) { return file.locate(field); });
  if (scenario.has_mix_plan()) {
    // The plan names its cluster and sizes its own workloads.
    for (const char* field :
         {"training", "serving", "layer_workload", "shared_envelope", "clusters", "cluster_names",
          "cluster_refs", "it_power_budget_kw", "claims"}) {
      const auto* descriptor = scenario.GetDescriptor()->FindFieldByName(field);
      const auto* reflection = scenario.GetReflection();
      bool set = descriptor->is_repeated() ? reflection->FieldSize(scenario, descriptor) > 0
                                           : reflection->HasField(scenario, descriptor);
      if (set) {
        throw_input_error(file.locate(field), field,
                          "a scenario with a mix_plan plans it alone: the plan names its "
                          "cluster and its workloads");
      }
    }
    return;
  }
  if (!scenario.has_training() && !scenario.has_serving() && !scenario.has_layer_workload()) {
    throw_input_error(file.locate(""), "training, serving, layer_workload, mix_plan",
                      "a scenario needs a training, a serving or a layer workload, or a mix plan");
  }
  // The engine's name is checked where it is chosen (engine_choice.hpp); what it can run, here,
  // before any cluster is built.
  if (scenario.engine() == "event" && scenario.has_serving() && !scenario.serving().has_load()) {
    throw_input_error(file.locate("engine"), "engine",
                      "one batch per replica is priced by the analytical engine; the event engine "
                      "serves request streams (give serving.load)");
  }
}

namespace {

// A reference to a catalog cluster of several kinds of server runs the job on each pool; what
// it overrides is the whole cluster's (network, facility): a server count or a chip override
// belongs to one pool, named as "cluster:pool".
void add_pools_of_ref(const config::ClusterRef& ref, const config::Cluster& cluster,
                      const config::Catalog& catalog, const config::LoadedFile& file,
                      const std::string& path,
                      std::vector<std::pair<config::Cluster, std::string>>& clusters) {
  if (ref.has_nodes() || ref.has_chip_overrides()) {
    std::string field = ref.has_nodes() ? "nodes" : "chip_overrides";
    throw_input_error(file.locate(path + "." + field), field,
                      fmt::format("\"{}\" is made of pools ({}); a server count or chip "
                                  "override is one pool's: name it as \"{}{}{}\"",
                                  ref.catalog(), fmt::join(config::pool_names(cluster), ", "),
                                  ref.catalog(), config::kPoolSeparator, cluster.pools(0).name()));
  }
  std::string name = ref.has_name() ? ref.name() : ref.catalog();
  for (const auto& pool : config::pool_names(cluster)) {
    config::Cluster one = catalog.cluster(ref.catalog() + config::kPoolSeparator + pool,
                                          file.locate(path + ".catalog"));
    one.set_name(name + config::kPoolSeparator + pool);
    if (ref.has_facility()) {
      *one.mutable_facility() = ref.facility();
      *one.mutable_mixed()->mutable_facility() = ref.facility();
    }
    if (ref.has_scale_out()) {
      // The pool keeps its own NIC rate unless the reference gives one.
      double nic = one.scale_out().nic_bandwidth_gbit_per_s();
      *one.mutable_scale_out() = ref.scale_out();
      *one.mutable_mixed()->mutable_scale_out() = ref.scale_out();
      if (!ref.scale_out().has_nic_bandwidth_gbit_per_s()) {
        one.mutable_scale_out()->set_nic_bandwidth_gbit_per_s(nic);
      }
    }
    clusters.emplace_back(std::move(one), path);
  }
}

}  // namespace

std::vector<std::pair<config::Cluster, std::string>> scenario_clusters(
    const config::Scenario& scenario, const config::Catalog& catalog,
    const config::LoadedFile& file) {
  std::vector<std::pair<config::Cluster, std::string>> clusters;
  // A cluster of several kinds of server runs the scenario's job on each of its pools.
  for (int i = 0; i < scenario.clusters_size(); ++i) {
    std::string path = fmt::format("clusters[{}]", i);
    const config::Cluster& cluster = scenario.clusters(i);
    if (cluster.pools_size() == 0) {
      clusters.emplace_back(cluster, path);
      continue;
    }
    auto pools = config::pool_clusters(catalog.cluster_lookup(), cluster, file, path);
    for (size_t p = 0; p < pools.size(); ++p) {
      clusters.emplace_back(std::move(pools[p]), fmt::format("{}.pools[{}]", path, p));
    }
  }
  for (int i = 0; i < scenario.cluster_names_size(); ++i) {
    std::string path = fmt::format("cluster_names[{}]", i);
    const std::string& name = scenario.cluster_names(i);
    config::Cluster cluster = catalog.cluster(name, file.locate(path));
    if (cluster.name().empty()) cluster.set_name(name);
    if (cluster.pools_size() == 0) {
      clusters.emplace_back(std::move(cluster), path);
      continue;
    }
    for (const auto& pool : config::pool_names(cluster)) {
      clusters.emplace_back(
          catalog.cluster(name + config::kPoolSeparator + pool, file.locate(path)), path);
    }
  }
  for (int i = 0; i < scenario.cluster_refs_size(); ++i) {
    const auto& ref = scenario.cluster_refs(i);
    std::string path = fmt::format("cluster_refs[{}]", i);
    config::Cluster cluster = catalog.cluster(ref.catalog(), file.locate(path + ".catalog"));
    if (cluster.pools_size() > 0) {
      add_pools_of_ref(ref, cluster, catalog, file, path, clusters);
      continue;
    }
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

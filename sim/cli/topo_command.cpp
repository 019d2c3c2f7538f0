// `kcsim topo`: a cluster's network as a graph, and the figures that describe it.
#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cli/support.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cluster/pooled_cluster.hpp"
#include "topology/cluster_topology.hpp"
#include "topology/metrics.hpp"

namespace kcsim::cli {
namespace {

// The figures of a network as a whole, one per line.
void print_metrics(const topology::TopologyMetrics& metrics, std::ostream& out) {
  out << fmt::format("  devices               {}\n", metrics.devices);
  out << fmt::format("  switches              {}\n", metrics.switches);
  out << fmt::format("  links                 {}\n", metrics.links);
  out << fmt::format("  diameter              {} hops\n", metrics.diameter_hops);
  out << fmt::format("  bisection bandwidth   {:.1f} GB/s per direction\n",
                     metrics.bisection_bandwidth_bytes_per_s / 1e9);
}

// A cluster of several kinds of server: each pool, then the network that joins them.
int topo_of_pools(const PooledClusterModel& cluster, bool json, std::ostream& out) {
  auto metrics = topology::compute_metrics(*cluster.topology);
  if (json) {
    Json pools = Json::array();
    for (size_t i = 0; i < cluster.pools.size(); ++i) {
      const ClusterModel& pool = cluster.pools[i];
      pools.push_back(Json{{"pool", cluster.pool_names[i]},
                           {"chip", pool.chip.name()},
                           {"servers", pool.tiers.nodes},
                           {"devices_per_server", pool.tiers.devices_per_node},
                           {"devices", pool.devices()},
                           {"fabric", config::Fabric_Name(pool.config.node().fabric())},
                           {"nic_bandwidth_gbit_per_s",
                            pool.config.scale_out().nic_bandwidth_gbit_per_s()},
                           {"peak_it_power_kw", pool.peak_it_power_w() / 1000}});
    }
    print_json(out,
               Json{{"cluster", cluster.name},
                    {"pools", pools},
                    {"network", cluster.config.scale_out().kind()},
                    {"devices", metrics.devices},
                    {"switches", metrics.switches},
                    {"links", metrics.links},
                    {"diameter_hops", metrics.diameter_hops},
                    {"bisection_bandwidth_gb_per_s", metrics.bisection_bandwidth_bytes_per_s / 1e9},
                    {"peak_it_power_kw", cluster.peak_it_power_w() / 1000}});
    return 0;
  }
  out << fmt::format("{}: {} pools on one {} network\n", cluster.name, cluster.pools.size(),
                     cluster.config.scale_out().kind());
  for (size_t i = 0; i < cluster.pools.size(); ++i) {
    const ClusterModel& pool = cluster.pools[i];
    out << fmt::format("  pool {:<14} {} servers of {} x {} ({}), {:g} Gb/s per device, "
                       "{:.1f} kW at TDP\n",
                       cluster.pool_names[i], pool.tiers.nodes, pool.tiers.devices_per_node,
                       pool.chip.name(), config::Fabric_Name(pool.config.node().fabric()),
                       pool.config.scale_out().nic_bandwidth_gbit_per_s(),
                       pool.peak_it_power_w() / 1000);
  }
  print_metrics(metrics, out);
  out << fmt::format("  IT power at TDP       {:.1f} kW\n", cluster.peak_it_power_w() / 1000);
  out << fmt::format("A job runs on one pool: name it as {}:{}\n", cluster.name,
                     cluster.pool_names.front());
  return 0;
}

}  // namespace

int topo(const std::string& cluster_name, int nodes, const Common& common, std::ostream& out) {
  auto catalog = catalog_of(common);
  config::Cluster config = load_cluster(catalog, cluster_name);
  if (nodes < 0) throw_input_error(Origin{}, "--nodes", "must be positive");
  if (config.pools_size() > 0) {
    if (nodes > 0) {
      throw_input_error(Origin{}, "--nodes",
                        "sets the servers of a cluster of one kind; each pool's count is in its "
                        "cluster file");
    }
    return topo_of_pools(resolve_pooled_cluster(config, catalog), common.json, out);
  }
  if (nodes > 0) config.set_nodes(nodes);
  ClusterModel cluster = resolve_cluster(config, catalog);
  auto graph = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  auto metrics = topology::compute_metrics(graph);

  if (common.json) {
    print_json(
        out, Json{{"cluster", cluster.name},
                  {"chip", cluster.chip.name()},
                  {"fabric", config::Fabric_Name(config.node().fabric())},
                  {"network", config.scale_out().kind()},
                  {"devices", metrics.devices},
                  {"switches", metrics.switches},
                  {"links", metrics.links},
                  {"diameter_hops", metrics.diameter_hops},
                  {"bisection_bandwidth_gb_per_s", metrics.bisection_bandwidth_bytes_per_s / 1e9}});
    return 0;
  }
  out << fmt::format("{}: {} servers of {} x {} ({}), {} network\n", cluster.name,
                     cluster.tiers.nodes, cluster.tiers.devices_per_node, cluster.chip.name(),
                     config::Fabric_Name(config.node().fabric()), config.scale_out().kind());
  print_metrics(metrics, out);
  return 0;
}

}  // namespace kcsim::cli

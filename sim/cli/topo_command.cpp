// `kcsim topo`: a cluster's network as a graph, and the figures that describe it.
#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/support.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "topology/cluster_topology.hpp"
#include "topology/metrics.hpp"

namespace kcsim::cli {
int topo(const std::string& cluster_name, int nodes, const Common& common, std::ostream& out) {
  auto catalog = catalog_of(common);
  config::Cluster config = load_cluster(catalog, cluster_name);
  if (nodes < 0) throw_input_error(Origin{}, "--nodes", "must be positive");
  if (nodes > 0) config.set_nodes(nodes);
  ClusterModel cluster = resolve_cluster(config, catalog);
  auto graph = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  auto metrics = topology::compute_metrics(graph);

  if (common.json) {
    out << dump(Json{{"cluster", cluster.name},
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
  out << fmt::format("  devices               {}\n", metrics.devices);
  out << fmt::format("  switches              {}\n", metrics.switches);
  out << fmt::format("  links                 {}\n", metrics.links);
  out << fmt::format("  diameter              {} hops\n", metrics.diameter_hops);
  out << fmt::format("  bisection bandwidth   {:.1f} GB/s per direction\n",
                     metrics.bisection_bandwidth_bytes_per_s / 1e9);
  return 0;
}

}  // namespace kcsim::cli

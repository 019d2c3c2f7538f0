#include "sim/cluster/pooled_cluster.hpp"

#include <fmt/format.h>

#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/errors.hpp"
#include "topology/cluster_topology.hpp"

namespace kcsim {

int PooledClusterModel::devices() const {
  int total = 0;
  for (const auto& pool : pools) total += pool.devices();
  return total;
}

double PooledClusterModel::peak_it_power_w() const {
  double total = 0;
  for (const auto& pool : pools) total += pool.peak_it_power_w();
  return total;
}

PooledClusterModel resolve_pooled_cluster(const config::Cluster& cluster,
                                          const config::Catalog& catalog,
                                          const config::LoadedFile* file, const std::string& path) {
  config::LoadedFile unlocated =
      config::LoadedFile::unlocated(cluster.name(), config::Cluster::descriptor());
  const config::LoadedFile& at = file ? *file : unlocated;
  std::vector<config::Cluster> configs =
      config::pool_clusters(catalog.cluster_lookup(), cluster, at, path);
  long long devices = 0;
  for (const auto& pool : configs) {
    devices += static_cast<long long>(pool.nodes()) * pool.node().devices_per_node();
  }
  if (devices > kMaxClusterDevices) {
    throw InfeasibleError(
        fmt::format("cluster {}: too large to simulate: its pools hold {} "
                    "devices, limit {}",
                    cluster.name(), devices, kMaxClusterDevices));
  }
  PooledClusterModel model;
  model.name = cluster.name();
  model.config = cluster;
  model.pool_names = config::pool_names(cluster);
  for (size_t i = 0; i < configs.size(); ++i) {
    std::string pool_path = fmt::format("{}pools[{}]", path.empty() ? "" : path + ".", i);
    model.pools.push_back(resolve_cluster(configs[i], catalog, file, pool_path));
  }
  std::vector<topology::PoolServers> servers;
  for (const auto& pool : model.pools) {
    servers.push_back({pool.config, pool.chip.config()});
  }
  model.topology = std::make_shared<const topology::Topology>(
      topology::build_pooled_topology(model.name, servers));
  return model;
}

}  // namespace kcsim

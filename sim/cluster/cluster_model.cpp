#include "sim/cluster/cluster_model.hpp"

#include <cstdint>

#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/field_checks.hpp"
#include "hw-models/server_power.hpp"
#include "sim/cluster/facility_model.hpp"
#include "topology/cluster_topology.hpp"

namespace kcsim {
namespace {

Origin where(const config::LoadedFile* file, const std::string& path, const std::string& field) {
  if (!file) return Origin{};
  return file->locate(path.empty() ? field : path + "." + field);
}

}  // namespace

ServerPowerDraw server_overhead(const ClusterModel& cluster, double devices_w, double held,
                                double switch_busy) {
  const auto& node = cluster.config.node();
  if (!node.has_server()) {
    ServerPowerDraw constant;
    constant.fixed_w = node.server_overhead_w();
    return constant;
  }
  ServerLoad load;
  load.devices_w = devices_w;
  load.devices_held = held;
  load.switch_busy = switch_busy;
  load.devices_max_w = cluster.tiers.devices_per_node * cluster.chip.tdp_w();
  return server_power(node.server(), load);
}

double ClusterModel::server_overhead_w() const {
  return kcsim::server_overhead(*this, tiers.devices_per_node * chip.tdp_w(), 1, 1).overhead_w();
}

double ClusterModel::server_peak_w() const {
  return tiers.devices_per_node * chip.tdp_w() + server_overhead_w();
}

double ClusterModel::peak_it_power_w() const {
  return devices() * chip.tdp_w() + tiers.nodes * server_overhead_w();
}

namespace {

// The resolved clusters' devices the cache may hold at once (their topologies: about 400 MB).
constexpr long long kMaxCachedDevices = 131072;

LinkPowerTotals sum_link_power(const topology::Topology& topology) {
  LinkPowerTotals totals;
  const auto& graph = topology.graph();
  for (auto edge : topology.links()) {
    const auto& a = graph[boost::source(edge, graph)];
    const auto& b = graph[boost::target(edge, graph)];
    const auto& link = graph[edge];
    bool in_server = a.node >= 0 && a.node == b.node;
    (in_server ? totals.in_server_idle_w : totals.network_idle_w) += link.idle_power_w;
    (in_server ? totals.in_server_active_w : totals.network_active_w) += link.active_power_w;
  }
  return totals;
}

}  // namespace

ClusterModel resolve_cluster(const config::Cluster& cluster, const config::Catalog& catalog,
                             const config::LoadedFile* file, const std::string& path) {
  if (cluster.pools_size() > 0) {
    auto pools = config::pool_names(cluster);
    throw_input_error(where(file, path, "pools"), "pools",
                      fmt::format("cluster \"{}\" is made of pools ({}); a job runs on one of "
                                  "them: name it as \"{}{}{}\"",
                                  cluster.name(), fmt::join(pools, ", "), cluster.name(),
                                  config::kPoolSeparator, pools.front()));
  }
  const auto& node = cluster.node();
  long long devices = static_cast<long long>(cluster.nodes()) * node.devices_per_node();
  if (devices > kMaxClusterDevices) {
    throw InfeasibleError(fmt::format(
        "cluster {}: too large to simulate: {} nodes x {} devices = {} devices, limit {}",
        cluster.name().empty() ? node.chip() : cluster.name(), cluster.nodes(),
        node.devices_per_node(), devices, kMaxClusterDevices));
  }
  if (!node.has_chip()) {
    throw_input_error(where(file, path, "node"), "node.chip", "every node names a catalog chip");
  }
  auto entry = catalog.chip_entry(node.chip(), where(file, path, "node.chip"));
  const config::Chip& listed = *entry;
  // A sweep resolves the same few clusters for thousands of points: the model is a function
  // of the cluster and the catalog's chip entry, so it is kept by the cluster's contents and
  // the entry it was resolved against. The cache holds the entry too, so that its address
  // cannot be reused by another catalog's entry while the key names it.
  struct Cached {
    std::shared_ptr<const config::Chip> entry;
    ClusterModel model;
  };
  static std::mutex cache_lock;
  static std::unordered_map<std::string, Cached> cache;
  // Each entry keeps its topology (about 3 kB per device): the cache is bounded by both.
  static long long cached_devices = 0;
  std::string key = cluster.SerializeAsString();
  key += '\0';
  key += std::to_string(reinterpret_cast<std::uintptr_t>(entry.get()));
  {
    std::lock_guard<std::mutex> hold(cache_lock);
    if (auto it = cache.find(key); it != cache.end()) return it->second.model;
  }
  // Checked once per distinct cluster: a cached one passed this check when it was resolved.
  config::check_fields(
      cluster, [&](std::string_view field) { return where(file, path, std::string(field)); });
  config::Chip chip = config::merge_chip(listed, node.chip_overrides());
  if (node.devices_per_node() <= 0) {
    throw_input_error(where(file, path, "node.devices_per_node"), "node.devices_per_node",
                      fmt::format("must be positive (got {})", node.devices_per_node()));
  }
  if (node.fabric() == config::DIRECT && node.devices_per_node() > kMaxDirectMeshDevices) {
    throw_input_error(
        where(file, path, "node.devices_per_node"), "node.devices_per_node",
        fmt::format("a DIRECT fabric links every pair of a server's devices; at most {} devices "
                    "per server (got {}); use NVSWITCH or PCIE for more",
                    kMaxDirectMeshDevices, node.devices_per_node()));
  }
  if (cluster.nodes() > 1 && !(cluster.scale_out().nic_bandwidth_gbit_per_s() > 0)) {
    throw_input_error(where(file, path, "scale_out"), "scale_out.nic_bandwidth_gbit_per_s",
                      "a cluster of several nodes needs a scale-out network bandwidth");
  }
  if (node.has_server()) {
    try {
      check_server_power(node.server(), "node");
    } catch (const InputError& e) {
      std::string at = where(file, path, "node.server").str();
      throw InputError(at.empty() ? std::string(e.what()) : at + ": " + e.what());
    }
  }
  try {
    FacilityModel facility(cluster.facility());
  } catch (const InputError& e) {
    std::string at = where(file, path, "facility").str();
    throw InputError(at.empty() ? std::string(e.what()) : at + ": " + e.what());
  }
  ChipModel chip_model(chip);
  ClusterModel model{cluster.name().empty() ? chip.name() : cluster.name(),
                     cluster,
                     std::move(chip_model),
                     network_tiers(cluster, chip),
                     {},
                     {}};
  model.config.mutable_node()->clear_chip_overrides();
  model.topology = std::make_shared<const topology::Topology>(
      topology::build_cluster_topology(model.config, model.chip.config()));
  model.link_power = sum_link_power(*model.topology);
  std::lock_guard<std::mutex> hold(cache_lock);
  if (cache.size() >= 256 || cached_devices + model.devices() > kMaxCachedDevices) {
    cache.clear();
    cached_devices = 0;
  }
  if (cache.emplace(std::move(key), Cached{entry, model}).second) cached_devices += model.devices();
  return model;
}

}  // namespace kcsim

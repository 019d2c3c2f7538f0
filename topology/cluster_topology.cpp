#include "topology/cluster_topology.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "topology/assembly.hpp"
#include "topology/tiers.hpp"

namespace kcsim::topology {
namespace {

// Switch radix for the scale-out network: 64 ports, as on NVIDIA Quantum-2 (64 x 400G NDR) and
// 51.2T Ethernet switches (64 x 800G); a leaf uses half its ports down and half up.
constexpr int kSwitchRadix = 64;
constexpr int kLeafDownlinks = kSwitchRadix / 2;
// Cards behind one PCIe switch: 8-card servers (RNGD, ATOM, Warboy) put 4 cards under each of
// two PCIe Gen5 switches (estimate: the common 2-switch, 8-slot GPU-server layout).
constexpr int kCardsPerPcieSwitch = 4;

enum class ServerFabric { NvSwitch, Pcie, Direct };

ServerFabric server_fabric(const config::Cluster& cluster, const config::Chip& chip) {
  // Same rule as network_tiers(): no scale-up link means cards talk over PCIe.
  if (cluster.node().fabric() == config::PCIE || !chip.has_scale_up()) return ServerFabric::Pcie;
  if (cluster.node().fabric() == config::DIRECT) return ServerFabric::Direct;
  return ServerFabric::NvSwitch;
}

[[noreturn]] void reject(const config::Cluster& cluster, const std::string& field, const std::string& what) {
  throw InputError(fmt::format("cluster \"{}\": {}: {}", cluster.name(), field, what));
}

LinkSpec intra_node_link(const config::Cluster& cluster, const config::Chip& chip, ServerFabric fabric) {
  NetworkTiers tiers = network_tiers(cluster, chip);
  int devices = tiers.devices_per_node;
  if (devices > 1 && tiers.intra_node.bandwidth_bytes_per_s <= 0) {
    reject(cluster, cluster.node().has_intra_node() ? "node.intra_node.bandwidth_gb_per_s" : "node.intra_node",
           fmt::format("no intra-node bandwidth: set it, or the chip's {} link", fabric == ServerFabric::Pcie ? "host_link" : "scale_up"));
  }
  int longest_path_links = 2;
  if (fabric == ServerFabric::Direct) longest_path_links = 1;
  if (fabric == ServerFabric::Pcie && devices > kCardsPerPcieSwitch) longest_path_links = 4;

  LinkSpec link;
  link.technology = tiers.intra_node.name;
  if (link.technology.empty()) link.technology = fabric == ServerFabric::Pcie ? "PCIe" : "scale-up";
  link.medium = fabric == ServerFabric::Pcie ? LinkMedium::Pcie : LinkMedium::ScaleUp;
  link.bandwidth_bytes_per_s = tiers.intra_node.bandwidth_bytes_per_s;
  link.latency_s = tiers.intra_node.latency_s / longest_path_links;
  return link;
}

void add_server_fabric(Topology& topology, int node, std::span<const Vertex> devices, ServerFabric fabric,
                       const LinkSpec& link) {
  if (devices.size() < 2) return;
  switch (fabric) {
    case ServerFabric::NvSwitch: assembly::add_nvswitch(topology, node, devices, link); break;
    case ServerFabric::Pcie: assembly::add_pcie_tree(topology, node, devices, kCardsPerPcieSwitch, link); break;
    case ServerFabric::Direct: assembly::add_direct_mesh(topology, devices, link); break;
  }
}

FatTreeSpec cluster_fat_tree(int devices, int devices_per_node) {
  FatTreeSpec spec;
  // Whole servers per leaf, about half a switch of downlinks.
  spec.devices_per_leaf = devices_per_node >= kLeafDownlinks
                              ? devices_per_node
                              : kLeafDownlinks / devices_per_node * devices_per_node;
  int leaves = (devices + spec.devices_per_leaf - 1) / spec.devices_per_leaf;
  spec.tiers = leaves <= kSwitchRadix ? 2 : 3;
  spec.leaves_per_pod = kLeafDownlinks;
  return spec;
}

// Servers `first_node` onwards of one kind, each with its fabric.
std::vector<std::vector<Vertex>> add_servers(Topology& topology, const config::Cluster& cluster,
                                             const config::Chip& chip, int first_node) {
  int devices_per_node = cluster.node().devices_per_node() > 0 ? cluster.node().devices_per_node() : 1;
  int nodes = cluster.nodes() > 0 ? cluster.nodes() : 1;
  ServerFabric fabric = server_fabric(cluster, chip);
  LinkSpec intra_link = intra_node_link(cluster, chip, fabric);
  std::vector<std::vector<Vertex>> devices_by_node;
  for (int n = first_node; n < first_node + nodes; ++n) {
    devices_by_node.push_back(assembly::add_server_devices(topology, n, devices_per_node));
    add_server_fabric(topology, n, devices_by_node.back(), fabric, intra_link);
  }
  return devices_by_node;
}

}  // namespace

int servers_per_leaf(const config::Cluster& cluster) {
  int devices_per_node =
      cluster.node().devices_per_node() > 0 ? cluster.node().devices_per_node() : 1;
  int nodes = cluster.nodes() > 0 ? cluster.nodes() : 1;
  if (cluster.scale_out().kind() == "rail-optimized") return std::min(nodes, kLeafDownlinks);
  FatTreeSpec spec = cluster_fat_tree(nodes * devices_per_node, devices_per_node);
  return std::max(1, spec.devices_per_leaf / devices_per_node);
}

Topology build_cluster_topology(const config::Cluster& cluster, const config::Chip& chip) {
  const auto& network = cluster.scale_out();
  const std::string& kind = network.kind();
  bool fat_tree_network = kind == "fat-tree";
  if (!fat_tree_network && kind != "rail-optimized") {
    reject(cluster, "scale_out.kind",
           fmt::format("unknown network kind \"{}\"; accepted: \"fat-tree\", \"rail-optimized\"", kind));
  }
  int devices_per_node = cluster.node().devices_per_node() > 0 ? cluster.node().devices_per_node() : 1;
  int nodes = cluster.nodes() > 0 ? cluster.nodes() : 1;
  double nic_bandwidth = network.nic_bandwidth_gbit_per_s() * 1e9 / 8;
  if (nic_bandwidth <= 0 && nodes > 1) {
    reject(cluster, "scale_out.nic_bandwidth_gbit_per_s", "must be positive for a cluster of several nodes");
  }
  double oversubscription = network.oversubscription() > 0 ? network.oversubscription() : 1.0;

  Topology topology(cluster.name());
  std::vector<std::vector<Vertex>> devices_by_node = add_servers(topology, cluster, chip, 0);
  if (nic_bandwidth <= 0) return topology;  // a lone server without a network

  double network_latency_s = network.latency_ns() * 1e-9;
  if (fat_tree_network) {
    FatTreeSpec spec = cluster_fat_tree(nodes * devices_per_node, devices_per_node);
    spec.oversubscription = oversubscription;
    spec.nic_bandwidth_bytes_per_s = nic_bandwidth;
    spec.link_latency_s = network_latency_s / assembly::fat_tree_longest_path_links(spec, nodes * devices_per_node);
    assembly::add_fat_tree(topology, topology.devices(), spec);
  } else {
    RailOptimizedSpec spec;
    spec.nodes = nodes;
    spec.devices_per_node = devices_per_node;
    // A scalable unit of 32 servers per rail leaf, as in NVIDIA's DGX SuperPOD reference design.
    spec.nodes_per_leaf = std::min(nodes, kLeafDownlinks);
    spec.oversubscription = oversubscription;
    spec.nic_bandwidth_bytes_per_s = nic_bandwidth;
    spec.link_latency_s = network_latency_s / assembly::rail_longest_path_links(spec);
    assembly::add_rail_network(topology, devices_by_node, spec);
  }
  return topology;
}

Topology build_pooled_topology(const std::string& name, const std::vector<PoolServers>& pools) {
  if (pools.empty()) throw InputError(fmt::format("cluster \"{}\": pools: none given", name));
  const auto& network = pools.front().cluster.scale_out();
  Topology topology(name);
  // Each pool's devices in rank order, then a fat-tree with every pool on leaves of its own.
  std::vector<std::pair<std::size_t, std::size_t>> ranges;  // [first rank, end rank) per pool
  std::vector<FatTreeSpec> shapes;
  int first_node = 0, leaves = 0, pods = 0;
  for (const auto& pool : pools) {
    const auto& cluster = pool.cluster;
    if (!(cluster.scale_out().nic_bandwidth_gbit_per_s() > 0)) {
      reject(cluster, "scale_out.nic_bandwidth_gbit_per_s",
             "every pool needs a NIC rate: the pools reach each other over the network");
    }
    std::size_t first_rank = topology.device_count();
    add_servers(topology, cluster, pool.chip, first_node);
    first_node += cluster.nodes() > 0 ? cluster.nodes() : 1;
    ranges.emplace_back(first_rank, topology.device_count());
    int devices = static_cast<int>(topology.device_count() - first_rank);
    int devices_per_node = cluster.node().devices_per_node() > 0 ? cluster.node().devices_per_node() : 1;
    FatTreeSpec shape = cluster_fat_tree(devices, devices_per_node);
    shape.nic_bandwidth_bytes_per_s = cluster.scale_out().nic_bandwidth_gbit_per_s() * 1e9 / 8;
    int pool_leaves = (devices + shape.devices_per_leaf - 1) / shape.devices_per_leaf;
    leaves += pool_leaves;
    pods += (pool_leaves + kLeafDownlinks - 1) / kLeafDownlinks;
    shapes.push_back(shape);
  }
  FatTreeSpec spec;
  spec.tiers = leaves <= kSwitchRadix ? 2 : 3;
  spec.leaves_per_pod = kLeafDownlinks;
  spec.oversubscription = network.oversubscription() > 0 ? network.oversubscription() : 1.0;
  spec.link_latency_s = network.latency_ns() * 1e-9 /
                        assembly::fat_tree_longest_path_links(spec.tiers, leaves, pods);
  const auto& ranked = topology.devices();
  std::vector<assembly::FatTreeSegment> segments;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    auto [first, end] = ranges[p];
    segments.push_back({std::span<const Vertex>(ranked.data() + first, end - first),
                        shapes[p].devices_per_leaf, shapes[p].nic_bandwidth_bytes_per_s});
  }
  assembly::add_fat_tree(topology, segments, spec);
  return topology;
}

}  // namespace kcsim::topology

// Scale-out networks: fat-trees and rail-optimized leaf/spine networks.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "topology/assembly.hpp"
#include "topology/builders.hpp"

namespace kcsim::topology {
namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }

LinkSpec nic_link(double bandwidth_bytes_per_s, double latency_s) {
  return {fmt::format("{:g}G NIC", bandwidth_bytes_per_s * 8 / 1e9), LinkMedium::NetworkOptical,
          bandwidth_bytes_per_s, latency_s};
}

// A leaf with `downlinks` NIC-rate ports gets round(downlinks / oversubscription) uplinks whose
// bandwidths add up to exactly downlinks x NIC rate / oversubscription.
struct Uplinks {
  int count;
  LinkInfo link;
};
Uplinks leaf_uplinks(int downlinks, double oversubscription, double nic_bandwidth, double latency_s) {
  int count = std::max(1, static_cast<int>(std::lround(downlinks / oversubscription)));
  double bandwidth = downlinks * nic_bandwidth / (oversubscription * count);
  return {count, make_link(nic_link(bandwidth, latency_s))};
}

void check_network(double nic_bandwidth, double oversubscription) {
  assembly::require(nic_bandwidth > 0, "network: NIC bandwidth must be positive");
  assembly::require(oversubscription > 0, "network: oversubscription must be positive");
}

}  // namespace

namespace assembly {

void add_fat_tree(Topology& topology, std::span<const Vertex> endpoints, const FatTreeSpec& spec) {
  add_fat_tree(topology, std::vector<FatTreeSegment>{{endpoints, spec.devices_per_leaf,
                                                       spec.nic_bandwidth_bytes_per_s}},
               spec);
}

void add_fat_tree(Topology& topology, const std::vector<FatTreeSegment>& segments,
                  const FatTreeSpec& spec) {
  require(!segments.empty(), "fat_tree: devices must be positive");
  require(spec.tiers == 2 || spec.tiers == 3, "fat_tree: tiers must be 2 or 3");
  int leaves_per_pod = spec.leaves_per_pod > 0 ? spec.leaves_per_pod : spec.devices_per_leaf;
  // Every segment on leaves (and, with three tiers, pods) of its own, in order; leaf and pod
  // numbers run on across segments.
  struct Placed {
    std::vector<Vertex> leaves;
    Uplinks up;
    int first_pod = 0, pods = 0;
  };
  std::vector<Placed> placed;
  int leaf_total = 0, pod_total = 0;
  for (const auto& segment : segments) {
    require(!segment.endpoints.empty(), "fat_tree: devices must be positive");
    require(segment.devices_per_leaf > 0, "fat_tree: devices_per_leaf must be positive");
    check_network(segment.nic_bandwidth_bytes_per_s, spec.oversubscription);
    int devices = static_cast<int>(segment.endpoints.size());
    int leaf_count = ceil_div(devices, segment.devices_per_leaf);
    LinkInfo nic = make_link(nic_link(segment.nic_bandwidth_bytes_per_s, spec.link_latency_s));
    Placed p{{},
             leaf_uplinks(segment.devices_per_leaf, spec.oversubscription,
                          segment.nic_bandwidth_bytes_per_s, spec.link_latency_s),
             pod_total, ceil_div(leaf_count, leaves_per_pod)};
    for (int i = 0; i < leaf_count; ++i) {
      p.leaves.push_back(topology.add_switch(fmt::format("leaf{}", leaf_total + i), kLeafTier));
    }
    for (int rank = 0; rank < devices; ++rank) {
      topology.add_link(segment.endpoints[static_cast<std::size_t>(rank)],
                        p.leaves[static_cast<std::size_t>(rank / segment.devices_per_leaf)], nic);
    }
    leaf_total += leaf_count;
    pod_total += p.pods;
    placed.push_back(std::move(p));
  }
  if (leaf_total == 1) return;
  int most_uplinks = 0;
  for (const auto& p : placed) most_uplinks = std::max(most_uplinks, p.up.count);

  if (spec.tiers == 2) {
    // Spine s joins every leaf with more than s uplinks.
    for (int s = 0; s < most_uplinks; ++s) {
      Vertex spine = topology.add_switch(fmt::format("spine{}", s), kSpineTier);
      for (const auto& p : placed) {
        if (s >= p.up.count) continue;
        for (Vertex leaf : p.leaves) topology.add_link(leaf, spine, p.up.link);
      }
    }
    return;
  }

  // Aggregation switch j of every pod reaches core group j; one core per leaf of a full pod
  // keeps the aggregation tier non-blocking.
  struct Pod {
    std::vector<Vertex> aggregation;
    const LinkInfo* link;
  };
  std::vector<Pod> pods;
  for (const auto& p : placed) {
    int leaf_count = static_cast<int>(p.leaves.size());
    for (int q = 0; q < p.pods; ++q) {
      Pod pod{{}, &p.up.link};
      for (int j = 0; j < p.up.count; ++j) {
        Vertex agg =
            topology.add_switch(fmt::format("pod{}.agg{}", p.first_pod + q, j), kSpineTier);
        pod.aggregation.push_back(agg);
        int first_leaf = q * leaves_per_pod;
        int end_leaf = std::min(leaf_count, first_leaf + leaves_per_pod);
        for (int l = first_leaf; l < end_leaf; ++l) {
          topology.add_link(p.leaves[static_cast<std::size_t>(l)], agg, p.up.link);
        }
      }
      pods.push_back(std::move(pod));
    }
  }
  if (pods.size() == 1) return;
  for (int j = 0; j < most_uplinks; ++j) {
    for (int c = 0; c < leaves_per_pod; ++c) {
      Vertex core = topology.add_switch(fmt::format("core{}", j * leaves_per_pod + c), kCoreTier);
      for (const auto& pod : pods) {
        if (j >= static_cast<int>(pod.aggregation.size())) continue;
        topology.add_link(pod.aggregation[static_cast<std::size_t>(j)], core, *pod.link);
      }
    }
  }
}

int fat_tree_longest_path_links(const FatTreeSpec& spec, int devices) {
  int leaf_count = ceil_div(devices, std::max(1, spec.devices_per_leaf));
  int leaves_per_pod = spec.leaves_per_pod > 0 ? spec.leaves_per_pod : spec.devices_per_leaf;
  return fat_tree_longest_path_links(spec.tiers, leaf_count,
                                     ceil_div(leaf_count, std::max(1, leaves_per_pod)));
}

int fat_tree_longest_path_links(int tiers, int leaves, int pods) {
  if (leaves <= 1) return 2;
  if (tiers == 2) return 4;
  return pods == 1 ? 4 : 6;
}

int rail_longest_path_links(const RailOptimizedSpec& spec) {
  int nodes_per_leaf = spec.nodes_per_leaf > 0 ? std::min(spec.nodes_per_leaf, spec.nodes) : spec.nodes;
  bool single_leaf = spec.devices_per_node == 1 && nodes_per_leaf >= spec.nodes;
  return single_leaf ? 2 : 4;
}

void add_rail_network(Topology& topology, const std::vector<std::vector<Vertex>>& devices_by_node,
                      const RailOptimizedSpec& spec) {
  require(!devices_by_node.empty(), "rail_optimized: nodes must be positive");
  check_network(spec.nic_bandwidth_bytes_per_s, spec.oversubscription);
  int nodes = static_cast<int>(devices_by_node.size());
  int rails = static_cast<int>(devices_by_node.front().size());
  require(rails > 0, "rail_optimized: devices_per_node must be positive");
  for (const auto& node : devices_by_node) {
    require(static_cast<int>(node.size()) == rails, "rail_optimized: every node needs the same device count");
  }
  int nodes_per_leaf = spec.nodes_per_leaf > 0 ? std::min(spec.nodes_per_leaf, nodes) : nodes;
  int units = ceil_div(nodes, nodes_per_leaf);

  LinkInfo nic = make_link(nic_link(spec.nic_bandwidth_bytes_per_s, spec.link_latency_s));
  std::vector<Vertex> leaves;  // unit-major: leaves[unit * rails + rail]
  for (int u = 0; u < units; ++u) {
    for (int r = 0; r < rails; ++r) leaves.push_back(topology.add_switch(fmt::format("rail{}.leaf{}", r, u), kLeafTier));
  }
  for (int n = 0; n < nodes; ++n) {
    for (int r = 0; r < rails; ++r) {
      Vertex leaf = leaves[static_cast<std::size_t>((n / nodes_per_leaf) * rails + r)];
      topology.add_link(devices_by_node[static_cast<std::size_t>(n)][static_cast<std::size_t>(r)], leaf, nic);
    }
  }
  if (leaves.size() == 1) return;

  Uplinks up = leaf_uplinks(nodes_per_leaf, spec.oversubscription, spec.nic_bandwidth_bytes_per_s,
                            spec.link_latency_s);
  for (int s = 0; s < up.count; ++s) {
    Vertex spine = topology.add_switch(fmt::format("spine{}", s), kSpineTier);
    for (Vertex leaf : leaves) topology.add_link(leaf, spine, up.link);
  }
}

}  // namespace assembly

Topology fat_tree(const FatTreeSpec& spec) {
  assembly::require(spec.devices > 0, "fat_tree: devices must be positive");
  Topology topology(fmt::format("fat-tree-{}-tier", spec.tiers));
  std::vector<Vertex> devices;
  for (int rank = 0; rank < spec.devices; ++rank) {
    devices.push_back(topology.add_device(fmt::format("dev{}", rank), rank));
  }
  assembly::add_fat_tree(topology, devices, spec);
  return topology;
}

FatTreeSpec k_ary_fat_tree(int k, int tiers, double nic_bandwidth_bytes_per_s, double link_latency_s) {
  assembly::require(k >= 2 && k % 2 == 0, "k_ary_fat_tree: k must be even and at least 2");
  assembly::require(tiers == 2 || tiers == 3, "k_ary_fat_tree: tiers must be 2 or 3");
  FatTreeSpec spec;
  spec.tiers = tiers;
  spec.devices_per_leaf = k / 2;
  spec.leaves_per_pod = k / 2;
  spec.devices = tiers == 2 ? k * k / 2 : k * k * k / 4;
  spec.nic_bandwidth_bytes_per_s = nic_bandwidth_bytes_per_s;
  spec.link_latency_s = link_latency_s;
  return spec;
}

Topology rail_optimized(const RailOptimizedSpec& spec) {
  assembly::require(spec.nodes > 0, "rail_optimized: nodes must be positive");
  assembly::require(spec.devices_per_node > 0, "rail_optimized: devices_per_node must be positive");
  Topology topology("rail-optimized");
  std::vector<std::vector<Vertex>> devices_by_node;
  for (int n = 0; n < spec.nodes; ++n) {
    devices_by_node.push_back(assembly::add_server_devices(topology, n, spec.devices_per_node));
  }
  assembly::add_rail_network(topology, devices_by_node, spec);
  return topology;
}

}  // namespace kcsim::topology

// The pieces builders join: each adds vertices and links to a topology under construction.
#pragma once

#include <span>
#include <vector>

#include "topology/builders.hpp"
#include "topology/graph.hpp"
#include "topology/link_power.hpp"

namespace kcsim::topology::assembly {

// Devices "node{node}.dev{i}" for i in [0, count).
std::vector<Vertex> add_server_devices(Topology& topology, int node, int count);

// Server fabrics; vertex names start with "node{node}.".
void add_nvswitch(Topology& topology, int node, std::span<const Vertex> devices,
                  const LinkSpec& device_link);
void add_pcie_tree(Topology& topology, int node, std::span<const Vertex> devices,
                   int devices_per_switch, const LinkSpec& link);
// Every pair of devices linked directly; each link gets `per_device_link` bandwidth divided by
// the number of peers, so a device's links add up to its scale-up bandwidth.
void add_direct_mesh(Topology& topology, std::span<const Vertex> devices,
                     const LinkSpec& per_device_link);

// Scale-out networks over existing devices (spec.devices and spec.nodes are taken from the
// arguments). All their links are optical network links.
void add_fat_tree(Topology& topology, std::span<const Vertex> endpoints, const FatTreeSpec& spec);
// A fat-tree over several groups of devices (the pools of a cluster), each on leaves of its own
// with its own leaf size and NIC rate, and with three tiers on pods of its own; the tiers above
// join them all. spec gives the tiers, the pod size, the oversubscription and the link latency.
struct FatTreeSegment {
  std::span<const Vertex> endpoints;
  int devices_per_leaf = 0;
  double nic_bandwidth_bytes_per_s = 0;
};
void add_fat_tree(Topology& topology, const std::vector<FatTreeSegment>& segments,
                  const FatTreeSpec& spec);
void add_rail_network(Topology& topology, const std::vector<std::vector<Vertex>>& devices_by_node,
                      const RailOptimizedSpec& spec);

// Hops on the longest device-to-device path of each network (for splitting a latency).
int fat_tree_longest_path_links(const FatTreeSpec& spec, int devices);
// The same for a fat-tree of `leaves` leaf switches on `pods` pods.
int fat_tree_longest_path_links(int tiers, int leaves, int pods);
int rail_longest_path_links(const RailOptimizedSpec& spec);

void require(bool condition, const char* what);  // throws std::invalid_argument(what)

}  // namespace kcsim::topology::assembly

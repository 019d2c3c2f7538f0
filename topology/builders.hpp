// Regular topologies, each built whole. Bandwidths are per direction; every latency is per link.
// Invalid shapes (no devices, zero bandwidth, ...) throw std::invalid_argument.
#pragma once

#include <vector>

#include "topology/graph.hpp"

namespace kcsim::topology {

// One server: every device linked to a single NVSwitch vertex (standing for the server's
// NVSwitch chips together). Vertices: devices + 1; links: devices.
Topology nvswitch_node(int devices, double per_device_bandwidth_bytes_per_s, double link_latency_s);

// One server of PCIe cards: `devices_per_switch` cards behind each PCIe switch, the switches joined
// by the host's root complex (RNGD, ATOM, Warboy servers). Each switch uplink runs at the card link
// rate. Vertices: devices + switches + 1; links: devices + switches.
Topology pcie_node(int devices, int devices_per_switch, double link_bandwidth_bytes_per_s,
                   double link_latency_s);

// Two or three tiers of switches over devices with one NIC each.
//   two tiers: leaves of `devices_per_leaf` devices; every leaf links to every spine.
//   three tiers: pods of `leaves_per_pod` leaves and as many aggregation switches (tier 2) as a
//   leaf has uplinks; aggregation switch j of every pod links to the j-th group of
//   `leaves_per_pod` core switches.
// A leaf's uplinks carry its downlink bandwidth divided by `oversubscription`: it has
// round(devices_per_leaf / oversubscription) uplinks at whatever rate makes that exact (the NIC
// rate when the division is exact). Tiers above the leaves are non-blocking. A single leaf
// gets no spines.
struct FatTreeSpec {
  int devices = 0;
  int tiers = 2;  // 2 or 3
  int devices_per_leaf = 32;
  int leaves_per_pod = 0;  // three tiers only; 0 = devices_per_leaf
  double oversubscription = 1;
  double nic_bandwidth_bytes_per_s = 0;
  double link_latency_s = 0;
};
Topology fat_tree(const FatTreeSpec& spec);

// The full fat-tree of k-port switches: two tiers hold k^2/2 devices (k leaves, k/2 spines),
// three tiers k^3/4 devices (k pods of k/2 leaves and k/2 aggregation switches, (k/2)^2 cores).
FatTreeSpec k_ary_fat_tree(int k, int tiers, double nic_bandwidth_bytes_per_s, double link_latency_s);

// Devices in servers; device r of every server links to rail r's leaf. Servers come in groups
// of `nodes_per_leaf` (a scalable unit), each with its own leaf per rail; all rail leaves link
// to every spine, with uplinks sized as in a two-tier fat-tree. The servers have no internal
// fabric here (build_cluster_topology adds one).
struct RailOptimizedSpec {
  int nodes = 1;
  int devices_per_node = 8;
  int nodes_per_leaf = 0;  // 0 = all nodes
  double oversubscription = 1;
  double nic_bandwidth_bytes_per_s = 0;
  double link_latency_s = 0;
};
Topology rail_optimized(const RailOptimizedSpec& spec);

// Devices on a wraparound grid, each linked to its +1 and -1 neighbour in every dimension (one
// link, not two, along a dimension of size 2). Devices forward traffic, as torus chips do.
// Rank = x + X * (y + Y * z).
Topology torus(const std::vector<int>& dims, double link_bandwidth_bytes_per_s, double link_latency_s);

// Groups of fully connected routers (tier 1); each router serves `devices_per_router` devices and
// has `global_links_per_router` links to other groups, dealt out so that every pair of groups
// gets one link before any pair gets a second (groups = routers x global links + 1 is the
// balanced case: exactly one link per pair).
struct DragonflySpec {
  int groups = 0;
  int routers_per_group = 0;
  int devices_per_router = 0;
  int global_links_per_router = 0;
  double link_bandwidth_bytes_per_s = 0;
  double link_latency_s = 0;
};
Topology dragonfly(const DragonflySpec& spec);

}  // namespace kcsim::topology

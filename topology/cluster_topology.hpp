// A cluster as a graph: servers with their internal fabric, joined by a scale-out network.
#pragma once

#include <string>
#include <vector>

#include "chip.pb.h"
#include "cluster.pb.h"
#include "topology/graph.hpp"

namespace kcsim::topology {

// Builds `cluster.nodes()` servers of `node.devices_per_node` devices of `chip` (already resolved,
// overrides applied). The server fabric follows node.fabric: NVSWITCH -> one NVSwitch vertex,
// PCIE (or a chip without a scale-up link) -> PCIe switches of 4 cards under a root complex,
// DIRECT -> a full mesh of chip links. Intra-node links come from the same sources as
// network_tiers(): node.intra_node, else the chip's scale_up link, else its host_link.
// Every device then gets a NIC link into scale_out.kind: "fat-tree" or "rail-optimized", built
// from 64-port switches (see cluster_topology.cpp). Latencies given device to device (the link
// latency_ns, scale_out.latency_ns) are split evenly over the links of the longest path.
// Throws kcsim::InputError for an unknown scale_out.kind or a missing bandwidth.
Topology build_cluster_topology(const config::Cluster& cluster, const config::Chip& chip);

// One pool of a cluster of several kinds of server: its servers as a cluster of their own
// (config::pool_cluster: the pool's node, server count and NIC rate, the cluster's network) and
// their chip, overrides applied.
struct PoolServers {
  const config::Cluster& cluster;
  const config::Chip& chip;
};

// The pools' servers in order (ranks and server numbers running on from pool to pool), joined
// by one fat-tree in which every pool has leaves (and, past 64 leaves, pods) of its own at its
// own NIC rate, under shared spines or cores; the first pool's scale_out gives the network's
// oversubscription and latency. Throws kcsim::InputError for a pool without a NIC rate.
Topology build_pooled_topology(const std::string& name, const std::vector<PoolServers>& pools);

// How many servers one leaf switch of that network joins (a rail-optimized scalable unit, or a
// fat-tree leaf's whole servers).
int servers_per_leaf(const config::Cluster& cluster);

}  // namespace kcsim::topology

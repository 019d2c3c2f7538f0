// Collective communication priced with alpha-beta formulas on the cluster's link tiers.
// A group spanning several servers runs hierarchically (intra-node, then inter-node on each
// device's NIC, then intra-node again), the way NCCL does on rail-optimized clusters.
#pragma once

#include "topology/tiers.hpp"

namespace kcsim {

enum class Collective { AllReduce, ReduceScatter, AllGather, AllToAll, Broadcast, SendRecv };

const char* collective_name(Collective kind);

// A group of devices placed on consecutive devices: `size` devices, `per_node` of them in each
// server (size when the group fits in one server).
struct Group {
  int size = 1;
  int per_node = 1;
  int nodes() const { return (size + per_node - 1) / per_node; }
};

// Ring time on one tier: steps * latency + volume_factor * bytes / (bandwidth * efficiency).
// AllReduce: 2(n-1) steps, 2(n-1)/n of the bytes; ReduceScatter and AllGather: n-1 steps,
// (n-1)/n of the (full-size) bytes; AllToAll: n-1 steps, (n-1)/n; Broadcast: n-1 steps, all
// bytes (pipelined); SendRecv: one step, all bytes.
double ring_time_s(Collective kind, double bytes, int n, const LinkTier& tier, double efficiency);

// Time of one collective of `bytes` (the full buffer each device holds) over `group`.
double collective_time_s(Collective kind, double bytes, const Group& group,
                         const NetworkTiers& tiers, double efficiency);

}  // namespace kcsim

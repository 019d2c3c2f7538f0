// Collective communication priced with alpha-beta formulas on the cluster's link tiers.
// A group spanning several servers runs hierarchically (intra-node, then inter-node on each
// device's NIC, then intra-node again), the way NCCL does on rail-optimized clusters. Between
// servers an all-reduce stage runs the job's algorithm (collective_algorithm.hpp); inside a
// server, and for the other collectives, rings run.
#pragma once

#include <string>
#include <vector>

#include "sim/cost/collective_algorithm.hpp"
#include "sim/cost/collective_shape.hpp"
#include "topology/tiers.hpp"

namespace kcsim {

// A group of devices placed on consecutive devices: `size` devices, `per_node` of them in each
// server (size when the group fits in one server).
struct Group {
  int size = 1;
  int per_node = 1;
  int nodes() const { return (size + per_node - 1) / per_node; }
};

// The stages of `kind` over `group`: one ring per stage, run one after another. A group inside a
// server is one ring on the intra-node tier; a group across servers runs hierarchically.
struct RingStage {
  Collective kind;
  double bytes;  // the buffer of this stage (full, or the 1/per_node slice between servers)
  int members;   // ring size
  bool inter_node;
  RingShape shape;  // the ring's, or the algorithm's for an all-reduce between servers
};
// `tiers` and `efficiency` let an auto choice compare the tuned algorithms; without tiers, rings
// run unless an algorithm is named. A ring's steps count every loop's (ring_loops).
std::vector<RingStage> collective_stages(Collective kind, double bytes, const Group& group,
                                         Algorithm algorithm = Algorithm::ring(),
                                         const NetworkTiers* tiers = nullptr,
                                         double efficiency = 1.0,
                                         const CollectiveProtocol& protocol = {});

// The ring of `stage` that the member at `position` of a group of `size` (per_node to a server)
// belongs to, without listing it: its size, the member's index in it, the position of the next
// member, and a suffix naming the ring among the stage's rings.
struct StageRing {
  int size = 0;
  int index = 0;
  int next_position = 0;
  std::string suffix;
};
StageRing stage_ring(const RingStage& stage, int size, int per_node, int position);

// A stage's time on its tier: steps * latency + volume * bytes / (bandwidth * efficiency).
double stage_time_s(const RingStage& stage, const LinkTier& tier, double efficiency);

// Ring time on one tier: steps * latency + volume_factor * bytes / (bandwidth * efficiency),
// the shape of ring_shape.
double ring_time_s(Collective kind, double bytes, int n, const LinkTier& tier, double efficiency);

// Time of one collective of `bytes` (the full buffer each device holds) over `group`.
double collective_time_s(Collective kind, double bytes, const Group& group,
                         const NetworkTiers& tiers, double efficiency, Algorithm algorithm = {},
                         const CollectiveProtocol& protocol = {});

}  // namespace kcsim

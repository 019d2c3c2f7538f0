// Collective communication priced with alpha-beta formulas on the cluster's link tiers.
// A group spanning several servers runs hierarchically (intra-node, then inter-node on each
// device's NIC, then intra-node again), the way NCCL does on rail-optimized clusters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// How an all-reduce between servers runs. Ring: 2(n-1) latency steps. Tree: NCCL's double
// binary tree, 2 ceil(log2 n) steps, each device sending and receiving the buffer up and down
// once (pipelined), so a little more volume than a ring. Auto: whichever is faster for the size
// and group, as NCCL's tuner picks. Inside a server, and for other collectives, rings run.
enum class Algorithm { Auto, Ring, Tree };
const char* algorithm_name(Algorithm algorithm);
// "auto", "ring", "tree"; nullopt for anything else.
std::optional<Algorithm> parse_algorithm(std::string_view name);

// A collective stage over n devices as flows between neighbours: how many latency steps it
// takes and which multiple of the buffer each device sends (and receives).
struct RingShape {
  double steps = 0;
  double volume = 0;
};
RingShape ring_shape(Collective kind, int n);
RingShape tree_shape(int n);

// How the communication library cuts a ring's buffer, the way NCCL runs its rings: `channels`
// rings side by side, each carrying its share of the buffer in loops, and a loop moves one
// `chunk_bytes` piece per member through every step of the ring before the next loop starts. A
// buffer larger than channels x members x chunk takes several loops, and each loop pays the
// ring's latency steps again (the bytes are the same). NCCL's defaults: its Simple protocol's
// 4 MiB buffer in 8 steps, 4 steps to a chunk (2 MiB); 24 channels, what NCCL opens on an
// 8-GPU NVSwitch server (NVIDIA/nccl-tests issue 100, an HGX A100's "Channel 23/24" log).
struct CollectiveProtocol {
  double chunk_bytes = 2.0 * 1024 * 1024;
  int channels = 24;
};
// Loops of a ring of `members` over a buffer of `bytes` (all-reduce, reduce-scatter and
// all-gather rings; 1 for the rest, and for trees, whose chunks stream through the tree).
int ring_loops(Collective kind, double bytes, int members, const CollectiveProtocol& protocol);

// The stages of `kind` over `group`: one ring per stage, run one after another. A group inside a
// server is one ring on the intra-node tier; a group across servers runs hierarchically.
struct RingStage {
  Collective kind;
  double bytes;  // the buffer of this stage (full, or the 1/per_node slice between servers)
  int members;   // ring size
  bool inter_node;
  RingShape shape;  // ring, or tree for an all-reduce between servers that runs as one
};
// `tiers` and `efficiency` let Algorithm::Auto compare ring and tree; without tiers, rings run
// unless Tree is asked for. A ring's steps count every loop's (ring_loops).
std::vector<RingStage> collective_stages(Collective kind, double bytes, const Group& group,
                                         Algorithm algorithm = Algorithm::Ring,
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

// Ring time on one tier: steps * latency + volume_factor * bytes / (bandwidth * efficiency).
// AllReduce: 2(n-1) steps, 2(n-1)/n of the bytes; ReduceScatter and AllGather: n-1 steps,
// (n-1)/n of the (full-size) bytes; AllToAll: n-1 steps, (n-1)/n; Broadcast: n-1 steps, all
// bytes (pipelined); SendRecv: one step, all bytes.
double ring_time_s(Collective kind, double bytes, int n, const LinkTier& tier, double efficiency);

// Time of one collective of `bytes` (the full buffer each device holds) over `group`.
double collective_time_s(Collective kind, double bytes, const Group& group,
                         const NetworkTiers& tiers, double efficiency,
                         Algorithm algorithm = Algorithm::Auto,
                         const CollectiveProtocol& protocol = {});

}  // namespace kcsim

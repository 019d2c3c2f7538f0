#include "sim/cost/collectives.hpp"

#include <algorithm>
#include <cmath>

namespace kcsim {

const char* collective_name(Collective kind) {
  switch (kind) {
    case Collective::AllReduce: return "all_reduce";
    case Collective::ReduceScatter: return "reduce_scatter";
    case Collective::AllGather: return "all_gather";
    case Collective::AllToAll: return "all_to_all";
    case Collective::Broadcast: return "broadcast";
    case Collective::SendRecv: return "send_recv";
  }
  return "unknown";
}

double ring_time_s(Collective kind, double bytes, int n, const LinkTier& tier, double efficiency) {
  if (n <= 1 && kind != Collective::SendRecv) return 0;
  RingShape shape = ring_shape(kind, n);
  return shape.steps * tier.latency_s +
         shape.volume * bytes / (tier.bandwidth_bytes_per_s * efficiency);
}

namespace {

// The stages with their member counts; shapes are filled in by collective_stages.
std::vector<RingStage> stages_of(Collective kind, double bytes, const Group& group) {
  int per_node = group.per_node < group.size ? group.per_node : group.size;
  int nodes = group.nodes();
  if (nodes <= 1) return {{kind, bytes, group.size, false, {}}};
  if (per_node <= 1) return {{kind, bytes, group.size, true, {}}};
  double slice = bytes / per_node;
  switch (kind) {
    case Collective::AllReduce:
      return {{Collective::ReduceScatter, bytes, per_node, false, {}},
              {Collective::AllReduce, slice, nodes, true, {}},
              {Collective::AllGather, bytes, per_node, false, {}}};
    case Collective::ReduceScatter:
    case Collective::AllGather:
      return {{kind, bytes, per_node, false, {}}, {kind, slice, nodes, true, {}}};
    case Collective::AllToAll:
      // (nodes-1)/nodes of each device's bytes leave over its own NIC; the rest stays inside.
      return {{kind, bytes / nodes, per_node, false, {}}, {kind, bytes, nodes, true, {}}};
    case Collective::Broadcast:
      return {{kind, bytes, nodes, true, {}}, {kind, bytes, per_node, false, {}}};
    case Collective::SendRecv:
      return {{kind, bytes, 2, true, {}}};
  }
  return {};
}

}  // namespace

std::vector<RingStage> collective_stages(Collective kind, double bytes, const Group& group,
                                         Algorithm algorithm, const NetworkTiers* tiers,
                                         double efficiency, const CollectiveProtocol& protocol) {
  const CollectiveAlgorithm& ring = collective_algorithms().front();
  auto stages = stages_of(kind, bytes, group);
  for (auto& stage : stages) {
    stage.shape = *ring.shape(stage.kind, stage.members, stage.bytes, protocol);
    // Inside a server rings run; between servers, a group of two is a ring at its best.
    if (!stage.inter_node || stage.members <= 2) continue;
    auto shape_of = [&](const CollectiveAlgorithm& a) {
      return a.shape(stage.kind, stage.members, stage.bytes, protocol);
    };
    if (const CollectiveAlgorithm* fixed = algorithm.fixed()) {
      if (auto shape = shape_of(*fixed)) stage.shape = *shape;
      continue;
    }
    if (!tiers) continue;
    // Auto: the fastest tuned algorithm on the scale-out tier; the earlier one on a tie.
    RingStage best = stage;
    for (const auto& candidate : collective_algorithms()) {
      if (!candidate.tuned || &candidate == &ring) continue;
      auto shape = shape_of(candidate);
      if (!shape) continue;
      RingStage trial = stage;
      trial.shape = *shape;
      if (stage_time_s(trial, tiers->scale_out, efficiency) <
          stage_time_s(best, tiers->scale_out, efficiency)) {
        best = trial;
      }
    }
    stage.shape = best.shape;
  }
  return stages;
}

StageRing stage_ring(const RingStage& stage, int size, int per_node, int position) {
  per_node = std::min(per_node, size);
  int node = position / per_node, local = position % per_node;
  StageRing ring;
  if (stage.members == size) {
    ring.size = size;
    ring.index = position;
    ring.next_position = (position + 1) % size;
  } else if (stage.inter_node) {
    // Same local index in every server: positions local, local + per_node, ...
    ring.size = (size - local + per_node - 1) / per_node;
    ring.index = node;
    ring.next_position = local + (node + 1) % ring.size * per_node;
    ring.suffix = "/l" + std::to_string(local);
  } else {
    int first = node * per_node;
    ring.size = std::min(size, first + per_node) - first;
    ring.index = local;
    ring.next_position = first + (local + 1) % ring.size;
    ring.suffix = "/n" + std::to_string(node);
  }
  return ring;
}

double stage_time_s(const RingStage& stage, const LinkTier& tier, double efficiency) {
  if (stage.members <= 1 && stage.kind != Collective::SendRecv) return 0;
  return stage.shape.steps * tier.latency_s +
         stage.shape.volume * stage.bytes / (tier.bandwidth_bytes_per_s * efficiency);
}

double collective_time_s(Collective kind, double bytes, const Group& group,
                         const NetworkTiers& tiers, double efficiency, Algorithm algorithm,
                         const CollectiveProtocol& protocol) {
  double total = 0;
  for (const auto& stage :
       collective_stages(kind, bytes, group, algorithm, &tiers, efficiency, protocol)) {
    total += stage_time_s(stage, stage.inter_node ? tiers.scale_out : tiers.intra_node, efficiency);
  }
  return total;
}

}  // namespace kcsim

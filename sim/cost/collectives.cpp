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

const char* algorithm_name(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::Auto: return "auto";
    case Algorithm::Ring: return "ring";
    case Algorithm::Tree: return "tree";
  }
  return "auto";
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  if (name == "auto") return Algorithm::Auto;
  if (name == "ring") return Algorithm::Ring;
  if (name == "tree") return Algorithm::Tree;
  return std::nullopt;
}

RingShape tree_shape(int n) {
  if (n <= 1) return {};
  return {2.0 * std::ceil(std::log2(static_cast<double>(n))), 2.0};
}

RingShape ring_shape(Collective kind, int n) {
  double share = static_cast<double>(n - 1) / n;
  switch (kind) {
    case Collective::AllReduce: return {2.0 * (n - 1), 2.0 * share};
    case Collective::ReduceScatter:
    case Collective::AllGather:
    case Collective::AllToAll: return {static_cast<double>(n - 1), share};
    case Collective::Broadcast: return {static_cast<double>(n - 1), 1.0};
    case Collective::SendRecv: return {1.0, 1.0};
  }
  return {};
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

int ring_loops(Collective kind, double bytes, int members, const CollectiveProtocol& protocol) {
  bool looped = kind == Collective::AllReduce || kind == Collective::ReduceScatter ||
                kind == Collective::AllGather;
  double per_loop = protocol.channels * static_cast<double>(members) * protocol.chunk_bytes;
  if (!looped || members <= 1 || !(per_loop > 0) || !(bytes > per_loop)) return 1;
  return static_cast<int>(std::ceil(bytes / per_loop));
}

std::vector<RingStage> collective_stages(Collective kind, double bytes, const Group& group,
                                         Algorithm algorithm, const NetworkTiers* tiers,
                                         double efficiency, const CollectiveProtocol& protocol) {
  auto stages = stages_of(kind, bytes, group);
  for (auto& stage : stages) {
    stage.shape = ring_shape(stage.kind, stage.members);
    stage.shape.steps *= ring_loops(stage.kind, stage.bytes, stage.members, protocol);
    bool tree_possible = stage.kind == Collective::AllReduce && stage.inter_node && stage.members > 2;
    if (!tree_possible || algorithm == Algorithm::Ring) continue;
    if (algorithm == Algorithm::Tree) {
      stage.shape = tree_shape(stage.members);
    } else if (tiers) {
      RingStage tree = stage;
      tree.shape = tree_shape(stage.members);
      if (stage_time_s(tree, tiers->scale_out, efficiency) <
          stage_time_s(stage, tiers->scale_out, efficiency)) {
        stage.shape = tree.shape;
      }
    }
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

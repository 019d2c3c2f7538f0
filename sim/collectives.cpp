#include "sim/collectives.hpp"

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

std::vector<RingStage> collective_stages(Collective kind, double bytes, const Group& group) {
  int per_node = group.per_node < group.size ? group.per_node : group.size;
  int nodes = group.nodes();
  if (nodes <= 1) return {{kind, bytes, group.size, false}};
  if (per_node <= 1) return {{kind, bytes, group.size, true}};
  double slice = bytes / per_node;
  switch (kind) {
    case Collective::AllReduce:
      return {{Collective::ReduceScatter, bytes, per_node, false},
              {Collective::AllReduce, slice, nodes, true},
              {Collective::AllGather, bytes, per_node, false}};
    case Collective::ReduceScatter:
    case Collective::AllGather:
      return {{kind, bytes, per_node, false}, {kind, slice, nodes, true}};
    case Collective::AllToAll:
      // (nodes-1)/nodes of each device's bytes leave over its own NIC; the rest stays inside.
      return {{kind, bytes / nodes, per_node, false}, {kind, bytes, nodes, true}};
    case Collective::Broadcast:
      return {{kind, bytes, nodes, true}, {kind, bytes, per_node, false}};
    case Collective::SendRecv:
      return {{kind, bytes, 2, true}};
  }
  return {};
}

double collective_time_s(Collective kind, double bytes, const Group& group,
                         const NetworkTiers& tiers, double efficiency) {
  double total = 0;
  for (const auto& stage : collective_stages(kind, bytes, group)) {
    total += ring_time_s(stage.kind, stage.bytes, stage.members,
                         stage.inter_node ? tiers.scale_out : tiers.intra_node, efficiency);
  }
  return total;
}

}  // namespace kcsim

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

double ring_time_s(Collective kind, double bytes, int n, const LinkTier& tier, double efficiency) {
  if (n <= 1 && kind != Collective::SendRecv) return 0;
  double bandwidth = tier.bandwidth_bytes_per_s * efficiency;
  double steps = 0, volume = 0;
  double share = static_cast<double>(n - 1) / n;
  switch (kind) {
    case Collective::AllReduce: steps = 2.0 * (n - 1); volume = 2.0 * share; break;
    case Collective::ReduceScatter:
    case Collective::AllGather:
    case Collective::AllToAll: steps = n - 1; volume = share; break;
    case Collective::Broadcast: steps = n - 1; volume = 1.0; break;
    case Collective::SendRecv: steps = 1; volume = 1.0; break;
  }
  return steps * tier.latency_s + volume * bytes / bandwidth;
}

double collective_time_s(Collective kind, double bytes, const Group& group,
                         const NetworkTiers& tiers, double efficiency) {
  int per_node = group.per_node < group.size ? group.per_node : group.size;
  int nodes = group.nodes();
  if (nodes <= 1) return ring_time_s(kind, bytes, group.size, tiers.intra_node, efficiency);
  if (per_node <= 1) return ring_time_s(kind, bytes, group.size, tiers.scale_out, efficiency);

  // Hierarchical: each of the per_node devices carries 1/per_node of the data across servers.
  double slice = bytes / per_node;
  switch (kind) {
    case Collective::AllReduce:
      return ring_time_s(Collective::ReduceScatter, bytes, per_node, tiers.intra_node, efficiency) +
             ring_time_s(Collective::AllReduce, slice, nodes, tiers.scale_out, efficiency) +
             ring_time_s(Collective::AllGather, bytes, per_node, tiers.intra_node, efficiency);
    case Collective::ReduceScatter:
    case Collective::AllGather:
      return ring_time_s(kind, bytes, per_node, tiers.intra_node, efficiency) +
             ring_time_s(kind, slice, nodes, tiers.scale_out, efficiency);
    case Collective::AllToAll:
      // (nodes-1)/nodes of each device's bytes leave over its own NIC; the rest stays inside.
      return ring_time_s(kind, bytes / nodes, per_node, tiers.intra_node, efficiency) +
             ring_time_s(kind, bytes, nodes, tiers.scale_out, efficiency);
    case Collective::Broadcast:
      return ring_time_s(kind, bytes, nodes, tiers.scale_out, efficiency) +
             ring_time_s(kind, bytes, per_node, tiers.intra_node, efficiency);
    case Collective::SendRecv:
      return ring_time_s(kind, bytes, 2, tiers.scale_out, efficiency);
  }
  return 0;
}

}  // namespace kcsim

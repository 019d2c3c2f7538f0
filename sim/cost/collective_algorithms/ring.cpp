// The ring: every member sends to the next and receives from the previous, n - 1 steps per
// pass; an all-reduce is a reduce-scatter pass then an all-gather pass. It runs every collective,
// at the least volume a member can send, and pays a latency per step, once per loop of the
// library's chunks (ring_loops).
#include <cmath>

#include "sim/cost/collective_algorithms/collective_algorithms.hpp"

namespace kcsim {

RingShape ring_shape(Collective kind, int n) {
  double share = static_cast<double>(n - 1) / n;
  switch (kind) {
    case Collective::AllReduce:
      return {2.0 * (n - 1), 2.0 * share};
    case Collective::ReduceScatter:
    case Collective::AllGather:
    case Collective::AllToAll:
      return {static_cast<double>(n - 1), share};
    case Collective::Broadcast:
      return {static_cast<double>(n - 1), 1.0};
    case Collective::SendRecv:
      return {1.0, 1.0};
  }
  return {};
}

int ring_loops(Collective kind, double bytes, int members, const CollectiveProtocol& protocol) {
  bool looped = kind == Collective::AllReduce || kind == Collective::ReduceScatter ||
                kind == Collective::AllGather;
  double per_loop = protocol.channels * static_cast<double>(members) * protocol.chunk_bytes;
  if (!looped || members <= 1 || !(per_loop > 0) || !(bytes > per_loop)) return 1;
  return static_cast<int>(std::ceil(bytes / per_loop));
}

CollectiveAlgorithm ring_algorithm() {
  return {"ring", "each member to the next; 2(n-1) steps per all-reduce loop, the least volume",
          true,
          [](Collective kind, int members, double bytes,
             const CollectiveProtocol& protocol) -> std::optional<RingShape> {
            RingShape shape = ring_shape(kind, members);
            shape.steps *= ring_loops(kind, bytes, members, protocol);
            return shape;
          }};
}

}  // namespace kcsim

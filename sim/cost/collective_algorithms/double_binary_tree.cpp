// NCCL's double binary tree all-reduce (NCCL 2.4): two complementary binary trees, each reducing
// half the buffer up to its root and broadcasting it back down, chunks pipelined through the
// tree. A member sends and receives the buffer up and down once, a little more volume than a
// ring's 2(n-1)/n, in 2 ceil(log2 n) latency steps instead of 2(n-1): it wins small buffers over
// many servers. All-reduce only.
#include <cmath>

#include "sim/cost/collective_algorithms/collective_algorithms.hpp"

namespace kcsim {

RingShape tree_shape(int n) {
  if (n <= 1) return {};
  return {2.0 * std::ceil(std::log2(static_cast<double>(n))), 2.0};
}

CollectiveAlgorithm double_binary_tree_algorithm() {
  return {"tree", "NCCL's double binary tree: 2 ceil(log2 n) steps, twice the buffer per member",
          true,
          [](Collective kind, int members, double,
             const CollectiveProtocol&) -> std::optional<RingShape> {
            if (kind != Collective::AllReduce) return std::nullopt;
            return tree_shape(members);
          }};
}

}  // namespace kcsim

// Rabenseifner's all-reduce (Thakur, Rabenseifner and Gropp, "Optimization of collective
// communication operations in MPICH", IJHPCA 2005): a reduce-scatter by recursive halving, then
// an all-gather by recursive doubling. Over p = 2^k members: 2 log2 p steps and a ring's volume,
// 2(p-1)/p of the buffer. Otherwise the r = n - p' members beyond the largest power of two p'
// first hand their buffer to a partner and get the result back at the end: two more steps and
// two more buffers on the critical path. MPI libraries, Gloo and oneCCL run it; NCCL does not,
// so auto leaves it out, and a job asks for it by name. The event engine runs its shape over the
// ring's neighbours (the partners at distance 2^i are not modelled as routes of their own).
// All-reduce only.
#include <cmath>

#include "sim/cost/collective_algorithms/collective_algorithms.hpp"

namespace kcsim {

RingShape halving_doubling_shape(int n) {
  if (n <= 1) return {};
  int levels = static_cast<int>(std::floor(std::log2(static_cast<double>(n))));
  double power = std::ldexp(1.0, levels);
  RingShape shape{2.0 * levels, 2.0 * (power - 1) / power};
  if (power < n) {
    shape.steps += 2;
    shape.volume += 2;
  }
  return shape;
}

CollectiveAlgorithm halving_doubling_algorithm() {
  return {"halving-doubling",
          "Rabenseifner: 2 log2 n steps at a ring's volume (MPI, Gloo, oneCCL; not in auto)", false,
          [](Collective kind, int members, double,
             const CollectiveProtocol&) -> std::optional<RingShape> {
            if (kind != Collective::AllReduce) return std::nullopt;
            return halving_doubling_shape(members);
          }};
}

}  // namespace kcsim

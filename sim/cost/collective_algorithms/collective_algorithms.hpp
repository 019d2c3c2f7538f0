// The collective algorithms, one file each in this folder: collective_algorithms/NAME.cpp defines
// NAME_algorithm(), its registry entry. Adding one is its file and its name on the list below.
#pragma once

#include "sim/cost/collective_algorithm.hpp"

// In the order help and error texts list them; the ring first (collective_algorithm.hpp).
#define KCSIM_COLLECTIVE_ALGORITHMS(X) X(ring) X(double_binary_tree) X(halving_doubling)

namespace kcsim {

#define KCSIM_DECLARE_COLLECTIVE_ALGORITHM(name) CollectiveAlgorithm name##_algorithm();
KCSIM_COLLECTIVE_ALGORITHMS(KCSIM_DECLARE_COLLECTIVE_ALGORITHM)
#undef KCSIM_DECLARE_COLLECTIVE_ALGORITHM

}  // namespace kcsim

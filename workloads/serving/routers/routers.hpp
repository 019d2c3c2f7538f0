// The routers, one file each in this folder: routers/NAME.cpp defines NAME_router(), its
// registry entry. Adding a router is its file and its name on the list below.
#pragma once

#include "workloads/serving/router.hpp"

// In the order help texts list them; the first is the default.
#define KCSIM_ROUTERS(X) X(round_robin) X(least_outstanding) X(jsq_tokens)

namespace kcsim::serving {

#define KCSIM_DECLARE_ROUTER(name) RouterPolicy name##_router();
KCSIM_ROUTERS(KCSIM_DECLARE_ROUTER)
#undef KCSIM_DECLARE_ROUTER

// The index of the replica whose `measure` is least (the lowest index on a tie).
inline int least_loaded(const std::vector<ReplicaLoad>& loads, int64_t ReplicaLoad::*measure) {
  size_t best = 0;
  for (size_t i = 1; i < loads.size(); ++i) {
    if (loads[i].*measure < loads[best].*measure) best = i;
  }
  return static_cast<int>(best);
}

}  // namespace kcsim::serving

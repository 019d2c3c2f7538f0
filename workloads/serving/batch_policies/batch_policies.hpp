// The batch policies, one file each in this folder: batch_policies/NAME.cpp defines
// NAME_policy(), its registry entry. Adding a policy is its file and its name on the list below.
#pragma once

#include "workloads/serving/batch_policy.hpp"

// In the order help texts list them.
#define KCSIM_BATCH_POLICIES(X) X(static_batching) X(continuous_batching) X(chunked_prefill)

namespace kcsim::serving {

#define KCSIM_DECLARE_BATCH_POLICY(name) BatchPolicyEntry name##_policy();
KCSIM_BATCH_POLICIES(KCSIM_DECLARE_BATCH_POLICY)
#undef KCSIM_DECLARE_BATCH_POLICY

}  // namespace kcsim::serving

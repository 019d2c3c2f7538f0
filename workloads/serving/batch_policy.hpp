// How a replica forms each iteration: the batch policy interface, and the registry of the
// policies a serving load may name (batch_policies/registry.cpp). Each policy is a file in
// batch_policies/; adding one is that file and its name on the list in
// batch_policies/batch_policies.hpp.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/serving/scheduler_state.hpp"

namespace kcsim::serving {

class BatchPolicy {
 public:
  virtual ~BatchPolicy() = default;
  // Forms the next iteration in state.batch (empty on entry), admitting waiting sequences and
  // taking KV blocks as the policy says. Leaves it empty only when nothing can run.
  virtual void form(SchedulerState& state) const = 0;
  // True for static batching: a batch is admitted with its whole requests' KV reserved, runs
  // until its longest request is done (finished ones ride along as padding) and leaves together.
  virtual bool whole_batch() const { return false; }
};

// A policy as the registry lists it: the name a scenario or --scheduler gives, a line for help
// texts, and the policy (stateless, shared by every replica).
struct BatchPolicyEntry {
  std::string_view name;
  std::string_view summary;
  const BatchPolicy* policy;
};

// Every batch policy, in the order help texts list them.
const std::vector<BatchPolicyEntry>& batch_policies();

// The policy named `name`; nullptr when there is none.
const BatchPolicy* find_batch_policy(std::string_view name);

}  // namespace kcsim::serving

#include "configs/loader/name_lists.hpp"
#include "workloads/serving/batch_policies/batch_policies.hpp"
#include "workloads/serving/batch_policy.hpp"

namespace kcsim::serving {

const std::vector<BatchPolicyEntry>& batch_policies() {
#define KCSIM_LIST_BATCH_POLICY(name) name##_policy(),
  static const std::vector<BatchPolicyEntry> kPolicies = {
      KCSIM_BATCH_POLICIES(KCSIM_LIST_BATCH_POLICY)};
#undef KCSIM_LIST_BATCH_POLICY
  return kPolicies;
}

const BatchPolicy* find_batch_policy(std::string_view name) {
  const BatchPolicyEntry* entry = find_named(batch_policies(), name);
  return entry ? entry->policy : nullptr;
}

}  // namespace kcsim::serving

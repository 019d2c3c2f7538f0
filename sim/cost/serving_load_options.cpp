#include "sim/cost/serving_load_options.hpp"

#include <algorithm>
#include <cmath>

#include "configs/loader/name_lists.hpp"
#include "workloads/serving/batch_policy.hpp"

namespace kcsim {

std::string scheduler_name(const ServingLoadOptions& options) {
  return options.disaggregated ? kDisaggregated : options.policy;
}

std::string scheduler_names() {
  std::vector<std::string> names = names_of(serving::batch_policies());
  names.emplace_back(kDisaggregated);
  return or_list(names);
}

int64_t kv_blocks_per_replica(const ClusterModel& cluster, const ServingSpec& spec,
                              int64_t block_tokens) {
  // Every stage holds its layers' KV of every token: the stage with the least room sets the
  // replica's blocks.
  double per_token =
      serving_kv_bytes_per_token_per_device(spec.model, spec.kv_dtype, spec.tp, spec.pp);
  int64_t blocks = -1;
  for (int stage = 0; stage < spec.pp; ++stage) {
    double free_bytes =
        spec.memory_utilization * cluster.chip.memory_capacity_bytes() -
        serving_stage_weight_bytes_per_device(spec.model, spec.dtype, spec.tp, spec.pp, stage) -
        serving_workspace_bytes();
    int64_t stage_blocks =
        free_bytes > 0 ? static_cast<int64_t>(std::floor(free_bytes / per_token)) / block_tokens
                       : 0;
    blocks = blocks < 0 ? stage_blocks : std::min(blocks, stage_blocks);
  }
  return std::max<int64_t>(blocks, 0);
}

}  // namespace kcsim

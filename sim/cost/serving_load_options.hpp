// How a request stream is served: the batching policy, the KV cache's blocks, the router, the
// objectives and the cluster's power cap; and the KV blocks a replica holds.
#pragma once

#include <cstdint>
#include <string>

#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/serving_spec.hpp"

namespace kcsim {

struct ServingLoadOptions {
  std::string policy = "continuous";  // a batch policy (workloads/serving/batch_policy.hpp)
  bool disaggregated = false;         // separate prefill and decode pools (continuous in each)
  int prefill_replicas = 0;           // disaggregated: the prefill pool (0: half the replicas)
  int max_batch = 256;                // running sequences per replica
  int64_t block_tokens = 16;
  int64_t chunk_tokens = 512;             // chunked prefill budget per iteration
  int64_t prefill_token_budget = 8192;    // continuous: prompt tokens per prefill iteration
  std::string router = "round-robin";     // a router (workloads/serving/router.hpp)
  double slo_ttft_s = 0, slo_tpot_s = 0;  // 0: no objective
  std::string arrivals = "trace";         // how the stream was made, for the report
  bool checked_kv = false;         // debug mode: check the KV accounting at every scheduler step
  bool record_iterations = false;  // and the cluster's power samples
  // Cap on the serving cluster's device power, W (0: none): the governor moves the replicas'
  // DVFS states as the load moves and the sum never exceeds it (serving_power_cap.hpp).
  double cluster_power_cap_w = 0;
  // Ends the simulation at this time (0: when every request is done); requests still running
  // then are counted in flight.
  double stop_s = 0;
  // Copies of the serving cluster in the fleet this stream is one share of (0: no fleet).
  int64_t fleet_copies = 0;
};

// The scheduler a load names for separate prefill and decode pools (each batching continuously);
// any other scheduler is a batch policy's name.
inline constexpr const char* kDisaggregated = "disaggregated";

// Name of a policy as the command line spells it.
std::string scheduler_name(const ServingLoadOptions& options);

// "static, continuous, chunked or disaggregated": every scheduler a load may name.
std::string scheduler_names();

// KV blocks one replica holds: the memory left after weights and workspace, in blocks.
int64_t kv_blocks_per_replica(const ClusterModel& cluster, const ServingSpec& spec,
                              int64_t block_tokens);

}  // namespace kcsim

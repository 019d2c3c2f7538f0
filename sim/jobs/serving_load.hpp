// A serving run driven by a request stream: replicas running a batching scheduler over a paged
// KV cache, a router in front, on the event engine. The analytical figures of the same job
// (TTFT, TPOT at its batch size) come with it.
#pragma once

#include <cstdint>
#include <string>

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/serving_load_options.hpp"
#include "sim/cost/serving_spec.hpp"
#include "workloads/serving/replica_scheduler.hpp"
#include "workloads/serving/request.hpp"
#include "workloads/serving/router.hpp"

namespace kcsim {

// Runs the stream on the event engine (in a child process), with `options` as
// serving_load_options made them (std::invalid_argument otherwise). Throws InfeasibleError when
// the replica has no room for a single KV block.
ServingResult simulate_serving_load(const ClusterModel& cluster, const ServingSpec& spec,
                                    const ServingLoadOptions& options,
                                    const serving::RequestStream& requests);

// The stream served disaggregated across chips: `prefill`'s replicas prefill, `decode`'s
// (another pool of the same cluster, with its own spec) decode, on the network joining the two
// pools. Each pool is priced by its own chip; a KV cache crosses as the prefill pool made it
// and is converted to the decode pool's KV dtype on arrival. The result's load reports each
// pool (`pools`) and their energy added; its closed-form figures are the prefill pool's TTFT and
// the decode pool's TPOT. Throws InfeasibleError under a cluster power cap (each chip takes a
// device cap instead) or when a replica has no room for a KV block.
ServingResult simulate_split_serving_load(const ClusterModel& prefill,
                                          const ServingSpec& prefill_spec,
                                          const ClusterModel& decode,
                                          const ServingSpec& decode_spec,
                                          const ServingLoadOptions& options,
                                          const serving::RequestStream& requests);

}  // namespace kcsim

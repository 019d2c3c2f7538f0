// One serving iteration of a replica priced piece by piece: its pass shape, compute, sampling,
// tensor-parallel all-reduces and pipeline sends. The analytical engine, the serving loop and its
// power cap all price iterations here.
#pragma once

#include <cstdint>

#include "hw-models/op_cost.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/iteration_cost.hpp"
#include "sim/cost/serving_spec.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {

// The pp - 1 sends of one iteration's activations (`tokens` x hidden) from stage to stage, each
// TP rank to its peer on the server fabric (on the network when a replica spans servers).
double serving_pipeline_send_s(const ClusterModel& cluster, const ServingSpec& spec,
                               int64_t tokens);

// The pass one iteration of a replica runs: `sequences` each computing `new_tokens` against
// `context` tokens, in the job's dtypes, on a tp-way shard.
PassShape serving_pass_shape(const ServingSpec& spec, int64_t sequences, int64_t new_tokens,
                             int64_t context);

// The 2 x layers tensor-parallel all-reduces of an iteration over `tokens` tokens, each at least
// the runtime's collective floor.
double serving_tp_comm_s(const ClusterModel& cluster, const ServingSpec& spec, int64_t tokens);
// The runtime's sampling over `sequences` sequences' logits: its fixed time plus the passes over
// the full-vocabulary logits (none when the runtime gives no sampling time).
OpCost serving_sampling_cost(const ClusterModel& cluster, const ServingSpec& spec,
                             const Execution& exec, int64_t sequences);

IterationCost serving_iteration(const ClusterModel& cluster, const ServingSpec& spec,
                                int64_t sequences, int64_t new_tokens, int64_t context);

}  // namespace kcsim

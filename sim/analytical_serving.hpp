// The analytical engine for serving: prefill and decode iterations of one replica priced in
// closed form, and the steady state they imply.
#pragma once

#include "analysis/results.hpp"
#include "hw-models/op_cost.hpp"
#include "sim/cluster_model.hpp"
#include "sim/serving_spec.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {

// One iteration of a replica: `sequences` each computing `new_tokens` against `context` tokens.
// With pp stages and one batch in flight the stages run one after another: `compute` is every
// stage's ops back to back (one TP rank's), and the iteration adds the sends between stages.
struct IterationCost {
  OpCost compute;        // one TP rank's ops over all stages, back to back
  double tp_comm_s = 0;  // tensor-parallel all-reduces
  double host_s = 0;     // the runtime's per-iteration host work, the device idle meanwhile
  double pp_comm_s = 0;  // activations sent from each stage to the next (pp - 1 sends)
  // The DVFS state the whole iteration runs at: the power limiter acts over milliseconds, so
  // the collectives and waits between kernels run at the compute's clock (a mix of two states
  // when the limiter alternates; serving_energy.hpp).
  DvfsPoint state;
  double time_s() const { return compute.time_s + tp_comm_s + host_s + pp_comm_s; }
};

// The pp - 1 sends of one iteration's activations (`tokens` x hidden) from stage to stage, each
// TP rank to its peer on the server fabric (on the network when a replica spans servers).
double serving_pipeline_send_s(const ClusterModel& cluster, const ServingSpec& spec,
                               int64_t tokens);

// The pass one iteration of a replica runs: `sequences` each computing `new_tokens` against
// `context` tokens, in the job's dtypes, on a tp-way shard.
PassShape serving_pass_shape(const ServingSpec& spec, int64_t sequences, int64_t new_tokens,
                             int64_t context);

IterationCost serving_iteration(const ClusterModel& cluster, const ServingSpec& spec,
                                int64_t sequences, int64_t new_tokens, int64_t context);

// TTFT is the prefill of a batch of prompts; TPOT a decode step at the mean context
// (prompt + output / 2); a replica serves its batch in TTFT + (output - 1) * TPOT. With pp
// stages each is the sum of the stages plus the sends between them.
ServingResult simulate_serving_analytical(const ClusterModel& cluster, const ServingSpec& spec);

}  // namespace kcsim

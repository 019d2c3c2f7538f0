// The analytical engine for serving: prefill and decode iterations of one replica priced in
// closed form, and the steady state they imply.
#pragma once

#include "analysis/results.hpp"
#include "hw-models/op_cost.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/serving_iteration.hpp"
#include "sim/cost/serving_spec.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {

// TTFT is the prefill of a batch of prompts; TPOT a decode step at the mean context
// (prompt + output / 2); a replica serves its batch in TTFT + (output - 1) * TPOT. With pp
// stages each is the sum of the stages plus the sends between them.
ServingResult simulate_serving_analytical(const ClusterModel& cluster, const ServingSpec& spec);

}  // namespace kcsim

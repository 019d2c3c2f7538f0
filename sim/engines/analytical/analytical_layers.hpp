// The analytical engine for layer workloads (layer_workload_spec.hpp): the step on the critical
// path, each all-reduce in closed form, no contention.
#pragma once

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/layer_workload_spec.hpp"

namespace kcsim {

// The analytical engine: the step on the critical path, no contention.
LayerStepResult simulate_layers_analytical(const LayerWorkloadSpec& spec,
                                           const ClusterModel& cluster);

}  // namespace kcsim

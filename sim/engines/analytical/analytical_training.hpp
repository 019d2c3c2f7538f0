// The analytical engine for training: one iteration priced in closed form along the critical
// pipeline stage, with no link contention. Microseconds per plan, so sweeps are cheap.
#pragma once

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/training_spec.hpp"

namespace kcsim {

// Prices one iteration of `spec` (checked with check_training_plan first). The result carries
// the memory per device whether or not it fits; see require_fit.
TrainingResult simulate_training_analytical(const ClusterModel& cluster, const TrainingSpec& spec);

}  // namespace kcsim

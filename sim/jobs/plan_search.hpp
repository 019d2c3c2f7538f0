// Training plans that fit: the check behind "what would fit" messages and auto planning.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/training_spec.hpp"

namespace kcsim {

// A plan and what it gives.
struct PlannedTraining {
  TrainingSpec spec;
  TrainingResult result;
};

// Plans derived from `base` (tp, pp, dp, recompute, sequence parallelism and ZeRO stage varied;
// batch, dtype and model kept) that are valid and fit in memory, fastest first.
std::vector<TrainingResult> fitting_training_plans(const ClusterModel& cluster,
                                                   const TrainingSpec& base, size_t limit);

// Checks the plan, prices it, and checks its memory. A plan that does not fit throws
// InfeasibleError with the memory breakdown and up to three plans that fit.
TrainingResult run_training(const ClusterModel& cluster, const TrainingSpec& spec);

// The fastest fitting plan; InfeasibleError when none fits.
PlannedTraining run_training_auto(const ClusterModel& cluster, const TrainingSpec& base);

}  // namespace kcsim

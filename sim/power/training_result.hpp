// A training result around an engine's timeline: the plan, FLOPs and memory before the engine
// runs, then rates, power and energy (devices, servers, links, facility) from its iteration time
// and breakdown. Both engines finish their results here.
#pragma once

#include "analysis/results.hpp"
#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/cost/training_spec.hpp"
#include "sim/power/cluster_energy.hpp"

namespace kcsim {

// The result's plan, model FLOPs and memory; the engine fills the time breakdown and the
// iteration time, then finish_training_result adds rates and energy.
TrainingResult start_training_result(const ClusterModel& cluster, const TrainingSpec& spec,
                                     const TrainingCosts& costs, const char* engine);
void finish_training_result(TrainingResult& result, const ClusterModel& cluster,
                            const TrainingCosts& costs);

// One device's compute over an iteration of `micro_batches` (every layer's forward, backward and
// recompute, its share of the head and embedding, the optimizer step), time-weighted: its draw
// while computing, and the relative clock the work ran at.
OpCost training_compute(const TrainingCosts& costs, double micro_batches, int stages);
DevicePower training_busy_power(const ChipModel& chip, const TrainingCosts& costs,
                                double micro_batches, int stages);
// Energy of one iteration from the plan's devices' energy: links (by the result's
// communication times), the job's share of the servers and the facility; also the result's
// power and per-token figures.
void set_training_energy(TrainingResult& result, const ClusterModel& cluster,
                         const TrainingCosts& costs, const DeviceEnergy& devices);

// A run of `tokens` tokens: the simulated iteration, energy and facility included, repeated
// tokens / (global batch x sequence length) times (a fraction of one counted as that fraction).
TrainingRunTotals training_run_totals(const TrainingResult& iteration, double tokens);

}  // namespace kcsim

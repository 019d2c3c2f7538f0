// Device power of serving iterations from the power model: an iteration's compute at its work's
// draw, its collectives and pipeline sends at a collective's draw, its host work at the held
// floor, all at the one DVFS state the power limiter holds the iteration at (the serving engine
// holds the devices throughout).
#pragma once

#include <functional>
#include <vector>

#include "hw-models/chip_model.hpp"
#include "sim/cost/iteration_cost.hpp"

namespace kcsim {

// The iteration's waits at its state: collectives and sends (a collective's draw), the host
// (held), as an OpCost of their time with no work.
OpCost iteration_waits(const ChipModel& chip, const IterationCost& iteration);

// The iteration at the fastest state whose average draw over the whole iteration fits
// `limit_w`: `price(state)` prices it at a state (called for `states` fastest first). When the
// state above draws more, the two alternate so the draw sits at the limit; when even the
// slowest draws too much, its compute is stretched until it fits. `state_index`, when given,
// is set to the index of the slowest state used.
IterationCost iteration_under_limit(const ChipModel& chip, double limit_w,
                                    const std::vector<DvfsPoint>& states,
                                    const std::function<IterationCost(const DvfsPoint&)>& price,
                                    int* state_index = nullptr);

// Joules one device spends in `iteration`: memory traffic apart from the rest of the device.
struct IterationEnergy {
  double device_j = 0;
  double memory_j = 0;
  double total_j() const { return device_j + memory_j; }
};
IterationEnergy iteration_device_energy(const ChipModel& chip, const IterationCost& iteration);

// A replica of `pp` stages: one TP rank's chain of stages computes as one device would
// (iteration_device_energy); its other pp - 1 devices wait held meanwhile. The joules those
// waiting devices add to the chain's.
double pipeline_idle_j(const ChipModel& chip, int pp, const IterationCost& iteration);

// One device's draw averaged over the iteration (its energy over its time), watts.
double iteration_device_power_w(const ChipModel& chip, const IterationCost& iteration);

}  // namespace kcsim

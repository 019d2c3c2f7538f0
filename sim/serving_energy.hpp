// Device energy of serving iterations from the power model: the devices at their iteration's
// utilisation while computing, at their held-idle draw while waiting on collectives and the host
// (the serving engine holds them throughout).
#pragma once

#include <vector>

#include "hw-models/chip_model.hpp"
#include "sim/analytical_serving.hpp"

namespace kcsim {

// The states a device waits at (on the host) and runs collectives at, under its power limit.
struct WaitStates {
  DvfsPoint wait, collective;
};
WaitStates wait_states(const ChipModel& chip, double limit_w, const std::vector<DvfsPoint>& states);

// Joules one device spends in `iteration` (its compute priced at its state), in collectives and
// sends at `at.collective`, waiting on the host at `at.wait`: memory traffic apart from the rest
// of the device.
struct IterationEnergy {
  double device_j = 0;
  double memory_j = 0;
  double total_j() const { return device_j + memory_j; }
};
IterationEnergy iteration_device_energy(const ChipModel& chip, const IterationCost& iteration,
                                        const WaitStates& at = {});

// A replica of `pp` stages: one TP rank's chain of stages computes as one device would
// (iteration_device_energy); its other pp - 1 devices wait held meanwhile. The joules those
// waiting devices add to the chain's.
double pipeline_idle_j(const ChipModel& chip, int pp, const IterationCost& iteration,
                       const WaitStates& at = {});

// One device's draw averaged over the iteration (its energy over its time), watts.
double iteration_device_power_w(const ChipModel& chip, const IterationCost& iteration,
                                const WaitStates& at = {});

}  // namespace kcsim

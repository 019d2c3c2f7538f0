// Device energy of serving iterations from the power model: the devices at their iteration's
// utilisation while computing, at their held-idle draw while waiting on collectives and the host
// (the serving engine holds them throughout).
#pragma once

#include "hw-models/chip_model.hpp"
#include "sim/analytical_serving.hpp"

namespace kcsim {

// Joules one device spends in `iteration`, run at DVFS relative speed `speed`: memory traffic
// apart from the rest of the device.
struct IterationEnergy {
  double device_j = 0;
  double memory_j = 0;
  double total_j() const { return device_j + memory_j; }
};
IterationEnergy iteration_device_energy(const ChipModel& chip, const IterationCost& iteration,
                                        double speed = 1.0);

// A replica of `pp` stages: one TP rank's chain of stages computes as one device would
// (iteration_device_energy); its other pp - 1 devices are held idle meanwhile, and the whole
// chain while the stages send. The joules those idle devices add to the chain's.
double pipeline_idle_j(const ChipModel& chip, int pp, const IterationCost& iteration);

// One device's draw averaged over the iteration (its energy over its time), watts.
double iteration_device_power_w(const ChipModel& chip, const IterationCost& iteration,
                                double speed = 1.0);

}  // namespace kcsim

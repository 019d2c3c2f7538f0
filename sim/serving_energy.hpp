// Device energy of serving iterations from the power model: the devices at their iteration's
// utilisation while computing, at idle while waiting on collectives and the host.
#pragma once

#include "hw-models/chip_model.hpp"
#include "sim/analytical_serving.hpp"

namespace kcsim {

// Joules one device spends in `iteration`.
double iteration_device_energy_j(const ChipModel& chip, const IterationCost& iteration);

}  // namespace kcsim

#include "sim/serving_energy.hpp"

#include "hw-models/power_model.hpp"

namespace kcsim {

double iteration_device_energy_j(const ChipModel& chip, const IterationCost& iteration) {
  const auto& c = iteration.compute;
  return device_power_w(chip, c.compute_busy, c.memory_busy) * c.time_s +
         chip.idle_w() * (iteration.tp_comm_s + iteration.host_s);
}

}  // namespace kcsim

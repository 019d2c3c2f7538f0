#include "sim/serving_energy.hpp"

#include "hw-models/power_model.hpp"

namespace kcsim {

IterationEnergy iteration_device_energy(const ChipModel& chip, const IterationCost& iteration,
                                        double speed) {
  const auto& c = iteration.compute;
  DevicePower p = device_power(chip, DeviceActivity::of(c, speed));
  double waiting_s = iteration.tp_comm_s + iteration.host_s;
  return {(p.total_w() - p.memory_w) * c.time_s + held_idle_w(chip) * waiting_s,
          p.memory_w * c.time_s};
}

double pipeline_idle_j(const ChipModel& chip, int pp, const IterationCost& iteration) {
  if (pp <= 1) return 0;
  return held_idle_w(chip) * (iteration.pp_comm_s + (pp - 1) * iteration.time_s());
}

double iteration_device_power_w(const ChipModel& chip, const IterationCost& iteration,
                                double speed) {
  double t = iteration.time_s();
  return t > 0 ? iteration_device_energy(chip, iteration, speed).total_j() / t : held_idle_w(chip);
}

}  // namespace kcsim

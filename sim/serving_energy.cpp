#include "sim/serving_energy.hpp"

#include "hw-models/dvfs.hpp"
#include "hw-models/power_model.hpp"

namespace kcsim {

WaitStates wait_states(const ChipModel& chip, double limit_w,
                       const std::vector<DvfsPoint>& states) {
  return {waiting_state(chip, limit_w, states), collective_state(chip, limit_w, states)};
}

IterationEnergy iteration_device_energy(const ChipModel& chip, const IterationCost& iteration,
                                        const WaitStates& at) {
  const auto& c = iteration.compute;
  DevicePower p = busy_power(chip, c);
  double collective_s = iteration.tp_comm_s + iteration.pp_comm_s;
  return {(p.total_w() - p.memory_w) * c.time_s +
              collective_power(chip, at.collective).total_w() * collective_s +
              waiting_power(chip, at.wait).total_w() * iteration.host_s,
          p.memory_w * c.time_s};
}

double pipeline_idle_j(const ChipModel& chip, int pp, const IterationCost& iteration,
                       const WaitStates& at) {
  if (pp <= 1) return 0;
  return waiting_power(chip, at.wait).total_w() * (pp - 1) * iteration.time_s();
}

double iteration_device_power_w(const ChipModel& chip, const IterationCost& iteration,
                                const WaitStates& at) {
  double t = iteration.time_s();
  return t > 0 ? iteration_device_energy(chip, iteration, at).total_j() / t
               : waiting_power(chip, at.wait).total_w();
}

}  // namespace kcsim

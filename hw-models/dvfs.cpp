#include "hw-models/dvfs.hpp"

#include <algorithm>

#include "hw-models/power_model.hpp"

namespace kcsim {

std::vector<DvfsPoint> dvfs_states(const ChipModel& chip) {
  std::vector<DvfsPoint> states;
  for (const auto& s : chip.config().power().dvfs()) {
    states.push_back({s.frequency_mhz(), s.relative_speed()});
  }
  if (states.empty()) states.push_back({0, 1.0});
  std::sort(states.begin(), states.end(),
            [](const DvfsPoint& a, const DvfsPoint& b) { return a.speed > b.speed; });
  return states;
}

DvfsChoice choose_state_under_cap(const ChipModel& chip, double cap_w,
                                  const std::function<OpCost(double speed)>& work) {
  DvfsChoice choice;
  for (const auto& state : dvfs_states(chip)) {
    choice.state = state;
    choice.cost = work(state.speed);
    choice.power_w = device_power(chip, DeviceActivity::of(choice.cost, state.speed)).total_w();
    choice.under_cap = choice.power_w <= cap_w;
    if (choice.under_cap) return choice;
  }
  // Even the slowest state draws too much (memory-bound work at full bandwidth): the device's
  // limiter stretches the work until its dynamic power fits what the cap leaves above the floor.
  DevicePower power = device_power(chip, DeviceActivity::of(choice.cost, choice.state.speed));
  double floor_w = power.idle_w + power.held_w;
  double dynamic_w = power.compute_w + power.memory_w;
  if (cap_w <= floor_w || dynamic_w <= 0) return choice;  // under_cap stays false
  double stretch = dynamic_w / (cap_w - floor_w);
  choice.cost.time_s *= stretch;
  choice.cost.compute_busy /= stretch;
  choice.cost.memory_busy /= stretch;
  choice.cost.pim_busy /= stretch;
  choice.stretch = stretch;
  choice.power_w =
      device_power(chip, DeviceActivity::of(choice.cost, choice.state.speed)).total_w();
  choice.under_cap = true;
  return choice;
}

}  // namespace kcsim

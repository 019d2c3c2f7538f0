#include "hw-models/power_model.hpp"

namespace kcsim {

DevicePower busy_power(const ChipModel& chip, const OpCost& cost) {
  DevicePower p;
  p.idle_w = chip.idle_w();
  if (!(cost.time_s > 0)) return p;
  p.held_w = cost.held_j / cost.time_s;
  p.compute_w = cost.compute_j / cost.time_s;
  p.memory_w = cost.memory_j / cost.time_s;
  return p;
}

DevicePower waiting_power(const ChipModel& chip, const DvfsPoint& state) {
  DevicePower p;
  p.idle_w = chip.idle_w();
  p.held_w = chip.held_w(state);
  return p;
}

DevicePower collective_power(const ChipModel& chip, const DvfsPoint& state) {
  DevicePower p = waiting_power(chip, state);
  p.compute_w = chip.collective_w() * state.v2s();
  return p;
}

DevicePower idle_power(const ChipModel& chip) {
  DevicePower p;
  p.idle_w = chip.idle_w();
  return p;
}

double held_idle_w(const ChipModel& chip) { return waiting_power(chip).total_w(); }

}  // namespace kcsim

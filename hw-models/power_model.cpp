#include "hw-models/power_model.hpp"

namespace kcsim {

DevicePower DevicePower::average(const DevicePower& a, double a_s, const DevicePower& b,
                                 double b_s) {
  double total = a_s + b_s;
  if (!(total > 0)) return a;
  auto mix = [&](double x, double y) { return (x * a_s + y * b_s) / total; };
  return {mix(a.idle_w, b.idle_w), mix(a.held_w, b.held_w), mix(a.compute_w, b.compute_w),
          mix(a.memory_w, b.memory_w)};
}

double held_w(const ChipModel& chip, const DvfsPoint& state) { return chip.held_w(state); }

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
  p.held_w = held_w(chip, state);
  return p;
}

DevicePower collective_power(const ChipModel& chip, const DvfsPoint& state) {
  DevicePower p = waiting_power(chip, state);
  p.compute_w = chip.collective_w() * state.voltage * state.voltage * state.speed;
  return p;
}

DevicePower idle_power(const ChipModel& chip) {
  DevicePower p;
  p.idle_w = chip.idle_w();
  return p;
}

double held_idle_w(const ChipModel& chip) { return waiting_power(chip).total_w(); }

}  // namespace kcsim

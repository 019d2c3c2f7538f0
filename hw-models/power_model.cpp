#include "hw-models/power_model.hpp"

#include <algorithm>
#include <cmath>

namespace kcsim {

double held_idle_w(const ChipModel& chip) {
  const auto& power = chip.config().power();
  return power.has_active_idle_w()
             ? std::clamp(power.active_idle_w(), power.idle_w(), power.tdp_w())
             : power.idle_w();
}

DevicePower device_power(const ChipModel& chip, const DeviceActivity& a) {
  const auto& power = chip.config().power();
  DevicePower p;
  p.idle_w = power.idle_w();
  if (!a.held) return p;
  p.held_w = held_idle_w(chip) - power.idle_w();
  double c = std::clamp(a.compute_busy, 0.0, 1.0);
  double m = std::clamp(a.memory_busy, 0.0, 1.0);
  double pim = std::clamp(a.pim_busy, 0.0, 1.0);
  double compute_share = power.compute_share();
  double memory_share = power.has_memory_share() ? power.memory_share() : 1.0 - compute_share;
  double dynamic = power.tdp_w() - power.idle_w();
  p.compute_w = dynamic * compute_share * c * std::pow(a.speed, power.dvfs_power_exponent());
  p.memory_w = dynamic * memory_share * m;
  if (pim > 0 && chip.config().has_pim()) {
    const auto& cfg = chip.config().pim();
    p.memory_w +=
        dynamic * memory_share * pim * cfg.bandwidth_multiplier() * cfg.energy_per_byte_relative();
  }
  // A device at its limit: the parts above the floor shrink together to fit the TDP.
  double above = p.held_w + p.compute_w + p.memory_w;
  double room = power.tdp_w() - p.idle_w;
  if (above > room && above > 0) {
    double scale = room / above;
    p.held_w *= scale;
    p.compute_w *= scale;
    p.memory_w *= scale;
  }
  return p;
}

double device_power_w(const ChipModel& chip, double compute_busy, double memory_busy,
                      double speed) {
  return device_power(chip, {compute_busy, memory_busy, 0, speed, true}).total_w();
}

}  // namespace kcsim

#include "hw-models/power_model.hpp"

#include <algorithm>
#include <cmath>

namespace kcsim {

double device_power_w(const ChipModel& chip, double compute_busy, double memory_busy,
                      double speed) {
  const auto& power = chip.config().power();
  double c = std::clamp(compute_busy, 0.0, 1.0);
  double m = std::clamp(memory_busy, 0.0, 1.0);
  double share = power.compute_share();
  double dynamic = power.tdp_w() - power.idle_w();
  double compute_w = dynamic * share * c * std::pow(speed, power.dvfs_power_exponent());
  double memory_w = dynamic * (1.0 - share) * m;
  return power.idle_w() + compute_w + memory_w;
}

}  // namespace kcsim

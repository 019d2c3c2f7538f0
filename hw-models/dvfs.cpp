#include "hw-models/dvfs.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "hw-models/power_model.hpp"

namespace kcsim {

DvfsPoint dvfs_state_at(const ChipModel& chip, double frequency_mhz) {
  double nominal = chip.nominal_mhz();
  if (!(nominal > 0)) return {};
  for (const auto& s : chip.listed_states()) {
    if (s.frequency_mhz == frequency_mhz) return s;
  }
  return {frequency_mhz, frequency_mhz / nominal, chip.voltage_at(frequency_mhz)};
}

std::vector<DvfsPoint> dvfs_states(const ChipModel& chip, double locked_mhz) {
  const auto& listed = chip.listed_states();
  if (!(locked_mhz > 0) || !(chip.nominal_mhz() > 0)) return listed;
  double locked = std::min(locked_mhz, chip.nominal_mhz());
  std::vector<DvfsPoint> states;
  for (const auto& s : listed) {
    if (s.frequency_mhz <= locked) states.push_back(s);
  }
  bool is_listed = std::any_of(states.begin(), states.end(),
                               [&](const DvfsPoint& p) { return p.frequency_mhz == locked; });
  if (!is_listed) states.push_back(dvfs_state_at(chip, locked));
  std::sort(states.begin(), states.end(),
            [](const DvfsPoint& a, const DvfsPoint& b) { return a.speed > b.speed; });
  return states;
}

DvfsPoint alternated(const DvfsPoint& fast, const DvfsPoint& slow, double fast_share) {
  DvfsPoint mixed;
  mixed.speed = fast_share * fast.speed + (1 - fast_share) * slow.speed;
  mixed.frequency_mhz = fast_share * fast.frequency_mhz + (1 - fast_share) * slow.frequency_mhz;
  mixed.voltage =
      std::sqrt((fast_share * fast.v2s() + (1 - fast_share) * slow.v2s()) / mixed.speed);
  return mixed;
}

void check_device_power_settings(const char* job, double cap_w, double clock_mhz) {
  if (!(cap_w >= 0 && cap_w < 1e6)) {
    throw InputError(
        fmt::format("{}: device_power_cap_w: must lie in [0, 1e6) W (got {})", job, cap_w));
  }
  if (!(clock_mhz >= 0 && clock_mhz < 1e5)) {
    throw InputError(
        fmt::format("{}: device_clock_mhz: must lie in [0, 1e5) MHz (got {})", job, clock_mhz));
  }
}

double lowest_feasible_cap_w(const ChipModel& chip, double clock_mhz) {
  auto states = dvfs_states(chip, clock_mhz);
  double floor_w = chip.idle_w();
  if (!states.empty()) floor_w += chip.held_w(states.back());
  return floor_w;
}

void check_cap_feasible(const ChipModel& chip, const char* job, double cap_w, double clock_mhz) {
  if (!(cap_w > 0)) return;
  double floor_w = lowest_feasible_cap_w(chip, clock_mhz);
  if (cap_w <= floor_w) {
    throw InfeasibleError(fmt::format(
        "{}: a device power cap of {:g} W lies at or below what a held {} draws at its slowest "
        "clock ({:.1f} W: idle and clock tree); give a cap above {:.1f} W",
        job, cap_w, chip.name(), floor_w, floor_w));
  }
}

double power_limit_w(const ChipModel& chip, double cap_w) {
  return cap_w > 0 ? cap_w : chip.tdp_w();
}

DvfsPoint fastest_state_within(const std::vector<DvfsPoint>& states, double cap_w,
                               const std::function<double(const DvfsPoint&)>& draw) {
  for (size_t i = 0; i < states.size(); ++i) {
    double w = draw(states[i]);
    if (w > cap_w) continue;
    if (i == 0) return states[0];
    // The limiter alternates with the state above so that the draw sits at the cap (a waiting
    // device's draw goes with V^2 f, which the alternated state keeps).
    double above = draw(states[i - 1]);
    double share = above > w ? (cap_w - w) / (above - w) : 0;
    return alternated(states[i - 1], states[i], share);
  }
  return states.empty() ? DvfsPoint{} : states.back();
}

DvfsPoint waiting_state(const ChipModel& chip, double cap_w, const std::vector<DvfsPoint>& states) {
  return fastest_state_within(states, cap_w,
                              [&](const DvfsPoint& s) { return waiting_power(chip, s).total_w(); });
}

DvfsPoint collective_state(const ChipModel& chip, double cap_w,
                           const std::vector<DvfsPoint>& states) {
  return fastest_state_within(
      states, cap_w, [&](const DvfsPoint& s) { return collective_power(chip, s).total_w(); });
}

namespace {

double draw_w(const ChipModel& chip, const OpCost& cost) {
  return busy_power(chip, cost).total_w();
}

// The work done `share` at `fast` and the rest at `slow`: the limiter alternating between two
// neighbouring states.
OpCost alternate(const OpCost& fast, const OpCost& slow, double share) {
  OpCost mixed = fast.scaled(share);
  mixed += slow.scaled(1 - share);
  return mixed;
}

}  // namespace

DvfsChoice choose_state_under_cap(const ChipModel& chip, double cap_w,
                                  const std::vector<DvfsPoint>& states,
                                  const std::function<OpCost(const DvfsPoint&)>& work) {
  DvfsChoice choice;
  OpCost faster;  // the work at the state before the one tried
  bool have_faster = false;
  for (size_t i = 0; i < states.size(); ++i) {
    choice.state = states[i];
    choice.state_index = static_cast<int>(i);
    choice.cost = work(states[i]);
    choice.power_w = draw_w(chip, choice.cost);
    choice.under_cap = choice.power_w <= cap_w;
    if (choice.under_cap) {
      if (have_faster) {
        // Energy above the cap's pace at each state: the share of the faster state that
        // brings the average to the cap exactly.
        double over_fast =
            faster.energy_j() + chip.idle_w() * faster.time_s - cap_w * faster.time_s;
        double under_slow = cap_w * choice.cost.time_s - choice.cost.energy_j() -
                            chip.idle_w() * choice.cost.time_s;
        if (over_fast > 0 && under_slow > 0) {
          choice.faster_share = under_slow / (under_slow + over_fast);
          choice.cost = alternate(faster, choice.cost, choice.faster_share);
          choice.power_w = draw_w(chip, choice.cost);
        }
      }
      return choice;
    }
    faster = choice.cost;
    have_faster = true;
  }
  // Even the slowest state draws too much (memory-bound work at full bandwidth): the device's
  // limiter stretches the work until its draw fits; the held clock runs the longer time.
  DevicePower power = busy_power(chip, choice.cost);
  double floor_w = power.idle_w + power.held_w;
  double activity_w = power.compute_w + power.memory_w;
  if (cap_w <= floor_w || activity_w <= 0) return choice;  // under_cap stays false
  choice.stretch = activity_w / (cap_w - floor_w);
  choice.cost = choice.cost.stretched(choice.stretch);
  choice.power_w = draw_w(chip, choice.cost);
  choice.under_cap = true;
  return choice;
}

DvfsChoice choose_state_under_cap(const ChipModel& chip, double cap_w,
                                  const std::function<OpCost(const DvfsPoint&)>& work) {
  return choose_state_under_cap(chip, cap_w, dvfs_states(chip), work);
}

}  // namespace kcsim

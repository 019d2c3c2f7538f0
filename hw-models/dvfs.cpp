#include "hw-models/dvfs.hpp"

#include <algorithm>
#include <cmath>

#include "hw-models/power_model.hpp"

namespace kcsim {

DvfsPoint dvfs_state_at(const ChipModel& chip, double frequency_mhz) {
  double nominal = chip.nominal_mhz();
  if (!(nominal > 0)) return {};
  for (const auto& s : chip.config().power().dvfs()) {
    if (s.frequency_mhz() == frequency_mhz && s.has_relative_speed()) {
      return {frequency_mhz, s.relative_speed(), chip.voltage_at(frequency_mhz)};
    }
  }
  return {frequency_mhz, frequency_mhz / nominal, chip.voltage_at(frequency_mhz)};
}

std::vector<DvfsPoint> dvfs_states(const ChipModel& chip, double locked_mhz) {
  if (!(locked_mhz > 0)) return chip.listed_states();
  std::vector<DvfsPoint> states;
  for (const auto& s : chip.config().power().dvfs()) {
    if (locked_mhz > 0 && s.frequency_mhz() > locked_mhz) continue;
    states.push_back(dvfs_state_at(chip, s.frequency_mhz()));
  }
  if (locked_mhz > 0 && chip.nominal_mhz() > 0) {
    bool listed = std::any_of(states.begin(), states.end(),
                              [&](const DvfsPoint& p) { return p.frequency_mhz == locked_mhz; });
    if (!listed) states.push_back(dvfs_state_at(chip, std::min(locked_mhz, chip.nominal_mhz())));
  }
  if (states.empty()) states.push_back({});
  std::sort(states.begin(), states.end(),
            [](const DvfsPoint& a, const DvfsPoint& b) { return a.speed > b.speed; });
  return states;
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
    // The limiter alternates with the state above so that the draw sits at the cap: a state
    // between the two, whose V^2 f (what a waiting device's draw goes with) is the mix's.
    const DvfsPoint& fast = states[i - 1];
    const DvfsPoint& slow = states[i];
    double above = draw(fast);
    double share = above > w ? (cap_w - w) / (above - w) : 0;
    auto v2s = [](const DvfsPoint& p) { return p.voltage * p.voltage * p.speed; };
    DvfsPoint mixed;
    mixed.speed = share * fast.speed + (1 - share) * slow.speed;
    mixed.frequency_mhz = share * fast.frequency_mhz + (1 - share) * slow.frequency_mhz;
    mixed.voltage = std::sqrt((share * v2s(fast) + (1 - share) * v2s(slow)) / mixed.speed);
    return mixed;
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
  double stretch = activity_w / (cap_w - floor_w);
  double held_j = choice.cost.held_j, clock_s = choice.cost.clock_s;
  choice.cost.time_s *= stretch;
  choice.cost.clock_s = clock_s * stretch;
  choice.cost.compute_busy /= stretch;
  choice.cost.memory_busy /= stretch;
  choice.cost.pim_busy /= stretch;
  choice.cost.held_j = held_j * stretch;
  choice.stretch = stretch;
  choice.power_w = draw_w(chip, choice.cost);
  choice.under_cap = true;
  return choice;
}

DvfsChoice choose_state_under_cap(const ChipModel& chip, double cap_w,
                                  const std::function<OpCost(const DvfsPoint&)>& work) {
  return choose_state_under_cap(chip, cap_w, dvfs_states(chip), work);
}

}  // namespace kcsim

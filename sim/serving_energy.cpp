#include "sim/serving_energy.hpp"

#include <cmath>

#include "hw-models/dvfs.hpp"
#include "hw-models/power_model.hpp"

namespace kcsim {
namespace {

// V^2 f of a state: what the clock tree's and a collective's draw go with.
double v2s(const DvfsPoint& p) { return p.voltage * p.voltage * p.speed; }

IterationCost mix(const IterationCost& fast, const IterationCost& slow, double share) {
  IterationCost m = slow;
  m.compute = fast.compute.scaled(share);
  m.compute += slow.compute.scaled(1 - share);
  m.state.speed = share * fast.state.speed + (1 - share) * slow.state.speed;
  m.state.frequency_mhz = share * fast.state.frequency_mhz + (1 - share) * slow.state.frequency_mhz;
  m.state.voltage =
      std::sqrt((share * v2s(fast.state) + (1 - share) * v2s(slow.state)) / m.state.speed);
  return m;
}

OpCost total(const ChipModel& chip, const IterationCost& it) {
  OpCost t = it.compute;
  t += iteration_waits(chip, it);
  return t;
}

}  // namespace

OpCost iteration_waits(const ChipModel& chip, const IterationCost& it) {
  OpCost waits;
  double collective_s = it.tp_comm_s + it.pp_comm_s;
  waits.time_s = collective_s + it.host_s;
  waits.held_j = held_w(chip, it.state) * waits.time_s;
  waits.compute_j = chip.collective_w() * v2s(it.state) * collective_s;
  waits.clock_s = it.state.speed * waits.time_s;
  return waits;
}

IterationCost iteration_under_limit(const ChipModel& chip, double limit_w,
                                    const std::vector<DvfsPoint>& states,
                                    const std::function<IterationCost(const DvfsPoint&)>& price,
                                    int* state_index) {
  std::vector<IterationCost> priced;
  DvfsChoice choice = choose_state_under_cap(chip, limit_w, states, [&](const DvfsPoint& s) {
    priced.push_back(price(s));
    return total(chip, priced.back());
  });
  if (state_index) *state_index = choice.state_index;
  IterationCost chosen = priced.back();
  if (choice.faster_share > 0 && priced.size() >= 2) {
    chosen = mix(priced[priced.size() - 2], chosen, choice.faster_share);
  }
  if (choice.stretch > 1) {
    // The limiter slows the compute (memory too) until the iteration's draw fits: the extra
    // time is the compute's, held at the state's clock.
    double extra = choice.cost.time_s - total(chip, chosen).time_s;
    if (extra > 0) {
      OpCost& c = chosen.compute;
      double stretch = (c.time_s + extra) / c.time_s;
      c.compute_busy /= stretch;
      c.memory_busy /= stretch;
      c.pim_busy /= stretch;
      c.held_j += held_w(chip, chosen.state) * extra;
      c.clock_s += chosen.state.speed * extra;
      c.time_s += extra;
    }
  }
  return chosen;
}

IterationEnergy iteration_device_energy(const ChipModel& chip, const IterationCost& iteration) {
  OpCost t = total(chip, iteration);
  return {chip.idle_w() * t.time_s + t.held_j + t.compute_j, t.memory_j};
}

double pipeline_idle_j(const ChipModel& chip, int pp, const IterationCost& iteration) {
  if (pp <= 1) return 0;
  return waiting_power(chip, iteration.state).total_w() * (pp - 1) * iteration.time_s();
}

double iteration_device_power_w(const ChipModel& chip, const IterationCost& iteration) {
  double t = iteration.time_s();
  return t > 0 ? iteration_device_energy(chip, iteration).total_j() / t
               : waiting_power(chip, iteration.state).total_w();
}

}  // namespace kcsim

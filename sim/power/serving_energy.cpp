#include "sim/power/serving_energy.hpp"

#include "hw-models/dvfs.hpp"
#include "hw-models/power_model.hpp"

namespace kcsim {
namespace {

IterationCost mix(const IterationCost& fast, const IterationCost& slow, double share) {
  IterationCost m = slow;
  m.compute = fast.compute.scaled(share);
  m.compute += slow.compute.scaled(1 - share);
  m.state = alternated(fast.state, slow.state, share);
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
  waits.held_j = chip.held_w(it.state) * waits.time_s;
  waits.compute_j = chip.collective_w() * it.state.v2s() * collective_s;
  waits.clock_s = it.state.speed * waits.time_s;
  return waits;
}

IterationCost iteration_under_limit(const ChipModel& chip, double limit_w,
                                    const std::vector<DvfsPoint>& states,
                                    const std::function<IterationCost(const DvfsPoint&)>& price,
                                    int* state_index) {
  std::vector<IterationCost> priced;  // the states tried, fastest first
  priced.reserve(states.size());
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
    OpCost& c = chosen.compute;
    if (extra > 0 && c.time_s > 0) c = c.stretched((c.time_s + extra) / c.time_s);
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

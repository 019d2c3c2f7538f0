#include "sim/power/power_governor.hpp"

#include <optional>
#include <queue>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "hw-models/power_model.hpp"

namespace kcsim {

PowerGovernor::PowerGovernor(const ChipModel& chip, double cap_w, std::vector<DvfsPoint> states)
    : chip_(chip), cap_w_(cap_w), states_(states.empty() ? dvfs_states(chip) : std::move(states)) {
  if (!(cap_w > 0)) throw InputError(fmt::format("power cap: must be positive (got {} W)", cap_w));
}

DeviceDemand PowerGovernor::demand_of(
    const std::function<OpCost(const DvfsPoint& state)>& work) const {
  DeviceDemand demand;
  for (const auto& state : states_) {
    DevicePower power = work ? busy_power(chip_, work(state)) : waiting_power(chip_, state);
    demand.power_w.push_back(power.total_w());
  }
  return demand;
}

std::optional<StepDown> step_down(const std::vector<double>& watts,
                                  const std::vector<DvfsPoint>& states, size_t s) {
  if (s + 1 >= watts.size() || s + 1 >= states.size()) return std::nullopt;
  double saved = watts[s] - watts[s + 1];
  double lost = states[s].speed - states[s + 1].speed;
  double gain = lost > 0 ? saved / lost : saved;
  if (!(saved > 0 && gain > 0)) return std::nullopt;
  return StepDown{saved, gain};
}

GovernorDecision PowerGovernor::decide(const std::vector<DeviceDemand>& demands) const {
  GovernorDecision d;
  d.state.resize(demands.size());
  for (size_t i = 0; i < demands.size(); ++i) {
    const auto& demand = demands[i];
    d.state[i] = demand.first_state;
    auto first = static_cast<size_t>(demand.first_state);
    d.total_w += first < demand.power_w.size() ? demand.power_w[first] : 0;
  }
  // Greedy: step down the device whose next state saves the most watts per unit of speed lost,
  // until the sum fits. Ties go to the lower index, so the same demands give the same states.
  // A device's next step changes only when it steps, so a heap of each device's next step
  // replays the greedy order in O(steps log devices) instead of a scan of every device per step.
  struct Step {
    double gain;
    size_t device;
    bool operator<(const Step& other) const {  // the heap's top: highest gain, lowest index
      return gain != other.gain ? gain < other.gain : device > other.device;
    }
  };
  auto next_step = [&](size_t i) -> std::optional<Step> {
    auto step = step_down(demands[i].power_w, states_, static_cast<size_t>(d.state[i]));
    if (!step) return std::nullopt;
    return Step{step->gain, i};
  };
  std::priority_queue<Step> steps;
  if (d.total_w > cap_w_) {
    for (size_t i = 0; i < demands.size(); ++i) {
      if (auto step = next_step(i)) steps.push(*step);
    }
  }
  while (d.total_w > cap_w_) {
    if (steps.empty()) {
      d.under_cap = false;
      break;
    }
    Step best = steps.top();
    steps.pop();
    const auto& watts = demands[best.device].power_w;
    // The device steps down for as long as its next step still beats every other device's
    // (the heap's top): the greedy order without a push and a pop per step.
    for (;;) {
      int& state = d.state[best.device];
      d.total_w -= watts[state] - watts[state + 1];
      ++state;
      auto step = next_step(best.device);
      if (!step) break;
      if (d.total_w <= cap_w_ || (!steps.empty() && *step < steps.top())) {
        steps.push(*step);
        break;
      }
      best = *step;
    }
  }
  return d;
}

}  // namespace kcsim

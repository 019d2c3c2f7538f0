#include "sim/power_governor.hpp"

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
  while (d.total_w > cap_w_) {
    int best = -1;
    double best_gain = 0;
    for (size_t i = 0; i < demands.size(); ++i) {
      const auto& watts = demands[i].power_w;
      size_t s = static_cast<size_t>(d.state[i]);
      if (s + 1 >= watts.size() || s + 1 >= states_.size()) continue;
      double saved = watts[s] - watts[s + 1];
      double lost = states_[s].speed - states_[s + 1].speed;
      double gain = lost > 0 ? saved / lost : saved;
      if (saved > 0 && gain > best_gain) {
        best_gain = gain;
        best = static_cast<int>(i);
      }
    }
    if (best < 0) {
      d.under_cap = false;
      break;
    }
    const auto& watts = demands[best].power_w;
    d.total_w -= watts[d.state[best]] - watts[d.state[best] + 1];
    ++d.state[best];
  }
  return d;
}

}  // namespace kcsim

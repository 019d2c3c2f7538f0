// A cluster-wide power cap: given what every device would draw at each of its DVFS states, pick
// states so that the sum stays under the cap, slowing first the devices where a step down saves
// the most watts for the least speed (compute-bound work), so memory-bound work keeps its clock.
// Called again whenever the load moves (a prefill burst, a decode lull), it redistributes.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "hw-models/chip_model.hpp"
#include "hw-models/dvfs.hpp"

namespace kcsim {

// One device's demand: its draw at each DVFS state, fastest first (dvfs_states order). The
// states above `first_state` are not allowed (a device power cap rules them out); their entries
// are not read.
struct DeviceDemand {
  std::vector<double> power_w;
  int first_state = 0;
};

struct GovernorDecision {
  std::vector<int> state;  // per device: index into dvfs_states, 0 = fastest
  double total_w = 0;
  bool under_cap = true;  // false when every device at its slowest state still exceeds the cap
};

// A device's step from DVFS state `s` down to s + 1 of `states`, drawing `watts` at each: the
// watts it saves and its gain, those watts per unit of relative speed lost (the watts alone
// between states of equal speed). None past the slowest state, or when the step saves nothing.
struct StepDown {
  double saved_w;
  double gain;
};
std::optional<StepDown> step_down(const std::vector<double>& watts,
                                  const std::vector<DvfsPoint>& states, size_t s);

class PowerGovernor {
 public:
  // Over `states` (default: the chip's), fastest first.
  PowerGovernor(const ChipModel& chip, double cap_w, std::vector<DvfsPoint> states = {});

  double cap_w() const { return cap_w_; }
  const std::vector<DvfsPoint>& states() const { return states_; }

  GovernorDecision decide(const std::vector<DeviceDemand>& demands) const;
  // The demand of a device doing `work(state)` (or waiting held, when `work` is null).
  DeviceDemand demand_of(const std::function<OpCost(const DvfsPoint& state)>& work) const;

 private:
  const ChipModel& chip_;
  double cap_w_;
  std::vector<DvfsPoint> states_;
};

}  // namespace kcsim

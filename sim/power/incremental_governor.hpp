// The governor's decision (power_governor.hpp) kept between calls that each change a few
// devices' demands, as a serving cluster's cap does at every iteration's start and finish.
//
// The greedy steps down, one DVFS state at a time, whichever device's next step saves the most
// watts per unit of speed lost, until the sum fits the cap. Give every step of a device the
// least gain of its steps so far (its prefix minimum): the greedy then takes the steps of all
// devices in one fixed order (that key descending, then the device's index, then the step's),
// and stops at the shortest prefix of that order whose sum fits. A device whose demand changed
// only moves where the cut falls: the steps are taken or given back from the last decision's
// cut, tens per call instead of the whole descent from every device's fastest state.
//
// The decision is the greedy's, state for state: where the sum lies so near the cap that the
// order of the additions could decide (within 1e-9 of it), the plain greedy decides instead.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/power/power_governor.hpp"

namespace kcsim {

class IncrementalGovernor {
 public:
  IncrementalGovernor(PowerGovernor governor, size_t devices);

  const PowerGovernor& governor() const { return governor_; }

  size_t devices() const { return demands_.size(); }
  // Device `i`'s demand, to be rewritten in place; decide() reads it again.
  DeviceDemand& edit(size_t i);
  // What PowerGovernor::decide gives for the present demands.
  const GovernorDecision& decide();
  // How many of the decisions the plain greedy took because the sum lay at the cap.
  long long exact_fallbacks() const { return fallbacks_; }

 private:
  // A place in the greedy's order: a step's key (its prefix-minimum gain), device and index.
  struct Place {
    double key = 0;
    size_t device = 0;
    int step = 0;
  };
  struct Steps {
    std::vector<double> key;     // the prefix-minimum gain of each step, non-increasing
    std::vector<double> saving;  // watts each step saves
    int taken = 0;               // steps taken: the device runs at first_state + taken
    bool dirty = true;
  };
  static bool before(const Place& a, const Place& b);
  void rebuild(size_t i);
  void set_taken(size_t i, int taken);
  // The next step to take (the earliest not taken) and the last taken, by the greedy's order;
  // `device` is the device count when there is none.
  Place next_step() const;
  Place last_taken() const;
  double total_now() const;

  PowerGovernor governor_;
  std::vector<DeviceDemand> demands_;
  std::vector<Steps> steps_;
  // Per device, the key of its next step (-infinity when it has none left) and of its last
  // step taken (+infinity when it took none): the scans for the next and last read only these.
  std::vector<double> next_key_, last_key_;
  // Every step before `cut_` in the greedy's order is taken; none from it on.
  Place cut_;
  GovernorDecision decision_;
  long long fallbacks_ = 0;
};

}  // namespace kcsim

// DVFS operating points and power capping: a cap picks the fastest state whose power stays under
// it, so compute-bound work slows about as 1/f while memory-bound work barely slows.
#pragma once

#include <functional>
#include <vector>

#include "hw-models/chip_model.hpp"
#include "hw-models/op_cost.hpp"

namespace kcsim {

struct DvfsPoint {
  double frequency_mhz = 0;
  double speed = 1.0;  // compute throughput relative to the nominal state
};

// The chip's states, fastest first; a chip that lists none has only its nominal state.
std::vector<DvfsPoint> dvfs_states(const ChipModel& chip);

struct DvfsChoice {
  DvfsPoint state;
  OpCost cost;            // the work priced at that state
  double power_w = 0;     // the device's draw doing it
  bool under_cap = true;  // false when the cap lies below the device's held-idle floor
  double stretch = 1;     // > 1: even the slowest state drew too much; the work was stretched
};

// The fastest state at which `work(speed)` draws at most `cap_w`. When none does, the slowest
// state with the work stretched in time until it fits (a device's power limiter throttling
// memory-bound work too); when the cap is below the held-idle floor, the slowest state, flagged.
// `work` prices the device's work at a relative speed; it is called for the states fastest first,
// and its last call is for the state chosen.
DvfsChoice choose_state_under_cap(const ChipModel& chip, double cap_w,
                                  const std::function<OpCost(double speed)>& work);

}  // namespace kcsim

// DVFS operating points and power limits. A state is a clock and the core voltage it needs; the
// driver's power limiter settles at the fastest state whose draw fits the limit (the board's TDP
// unless a cap lowers it), so compute-bound work slows about as 1/f while memory-bound work,
// whose pace the memory sets, keeps most of its speed and saves through the voltage.
#pragma once

#include <functional>
#include <vector>

#include "hw-models/chip_model.hpp"
#include "hw-models/op_cost.hpp"

namespace kcsim {

// The state at `frequency_mhz`: speed f / f0, voltage from the chip's curve (chip_model.hpp).
DvfsPoint dvfs_state_at(const ChipModel& chip, double frequency_mhz);

// The chip's states, fastest first; a chip that lists none has only its nominal state. With
// `locked_mhz` > 0 (an application clock set by the user) the states above it are dropped and
// the locked clock itself is the fastest.
std::vector<DvfsPoint> dvfs_states(const ChipModel& chip, double locked_mhz = 0);

// The device's power limit: `cap_w` when positive, else the board's TDP.
double power_limit_w(const ChipModel& chip, double cap_w);
// A job's power settings as its file gives them (0: unset); throws InputError naming `job`
// ("training", "serving") and the field when one is out of range.
void check_device_power_settings(const char* job, double cap_w, double clock_mhz);
// The lowest per-device cap a device can hold: its idle draw and clock tree at the slowest
// state it may run (the states at or below `clock_mhz` when one is locked). A cap at or below it
// cannot be met by any clock (a driver refuses it); throws InfeasibleError naming `job`, the
// cap and this floor.
double lowest_feasible_cap_w(const ChipModel& chip, double clock_mhz = 0);
void check_cap_feasible(const ChipModel& chip, const char* job, double cap_w, double clock_mhz);

// The limiter alternating between two neighbouring states, `fast_share` of the time at `fast`, as
// one state: the mean speed and clock, and the voltage that keeps the mix's V^2 f.
DvfsPoint alternated(const DvfsPoint& fast, const DvfsPoint& slow, double fast_share);

struct DvfsChoice {
  DvfsPoint state;        // the slowest state the work ran at (its last `work` call)
  int state_index = 0;    // into the states it was given
  OpCost cost;            // the work as run: one state, or two alternating (see below)
  double power_w = 0;     // the device's average draw doing it
  bool under_cap = true;  // false when the cap lies below the device's held-idle floor
  double stretch = 1;     // > 1: even the slowest state drew too much; the work was stretched
  // Share of the work done at the state before `state` when the limiter alternates between
  // the two to sit at the limit (0: all at `state`).
  double faster_share = 0;
};

// The fastest of `states` at which a device draws `draw(state)` W at most `cap_w` (the slowest
// when none does): the clock of a device waiting or in a collective under a limit. Below the top
// state the limiter alternates with the state above it to draw the cap exactly; the point
// returned stands for that mix (for draws that go with V^2 f, as a waiting device's does).
DvfsPoint fastest_state_within(const std::vector<DvfsPoint>& states, double cap_w,
                               const std::function<double(const DvfsPoint&)>& draw);

// The clock of a device under `cap_w` while it waits held (on the host, in a bubble) and while
// it runs a collective: the fastest of `states` whose draw fits.
DvfsPoint waiting_state(const ChipModel& chip, double cap_w, const std::vector<DvfsPoint>& states);
DvfsPoint collective_state(const ChipModel& chip, double cap_w,
                           const std::vector<DvfsPoint>& states);

// The fastest way `work(state)` runs under `cap_w`: the fastest state whose draw fits, and when
// the one above it draws more, the two alternated (as a driver's limiter does) so that the
// average draw equals the cap. When even the slowest state draws too much, that state with the
// work stretched in time until it fits (the limiter throttling memory-bound work too); when the
// cap is below the held-idle floor, the slowest state, flagged. `work` prices the device's work
// at a state; it is called for `states` fastest first, and its last call is for `state`.
DvfsChoice choose_state_under_cap(const ChipModel& chip, double cap_w,
                                  const std::vector<DvfsPoint>& states,
                                  const std::function<OpCost(const DvfsPoint&)>& work);
// The same over the chip's own states.
DvfsChoice choose_state_under_cap(const ChipModel& chip, double cap_w,
                                  const std::function<OpCost(const DvfsPoint&)>& work);

}  // namespace kcsim

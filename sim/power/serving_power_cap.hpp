// The serving cluster's device power over time, under a cluster-wide power cap when one is set.
//
// Each replica is either between iterations (its devices held at their held-idle floor) or
// running an iteration priced at the DVFS states it may use (serving_dvfs.hpp). Whenever a
// replica starts or ends an iteration, the governor (power_governor.hpp) picks every running
// replica's state afresh from every replica's demand, so the sum stays under the cap and the
// states move with the load: the steps go first where they save the most watts per unit of
// clock, which is compute-bound prefill, so memory-bound decode keeps its clock. When even the
// slowest states draw too much, the running iterations are stretched alike (a power limiter)
// until the sum fits. A running iteration that changes state keeps its progress; what is left
// of it runs at the new state's pace. Power is the iteration's average draw (its energy over
// its time), the resolution of the power model; the cluster's total is sampled at every change.
//
// Without a cap every iteration runs at the fastest state the device cap allows, as priced.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "analysis/results.hpp"
#include "sim/power/incremental_governor.hpp"
#include "sim/power/serving_dvfs.hpp"

namespace kcsim {

// What one iteration took, over every state it ran at (one device's figures).
struct IterationDone {
  double duration_s = 0;
  double compute_busy_s = 0;  // integral of the compute utilisation over the iteration
  double memory_busy_s = 0;
  IterationEnergy energy;
  double speed = 1;        // DVFS relative speed, time-weighted over the iteration
  double power_w = 0;      // average draw
  bool throttled = false;  // the cluster cap held it below the state the device cap allows
};

class ClusterPowerCap {
 public:
  // `cap_w` 0: no cluster cap. `unused_devices` belong to no replica and draw their idle floor.
  // `states` are the ones the iterations are priced at (default: the chip's).
  ClusterPowerCap(const ChipModel& chip, int tp, int replicas, int unused_devices, double cap_w,
                  bool keep_samples, std::vector<DvfsPoint> states = {});

  bool capped() const { return governor_.has_value(); }
  double cap_w() const { return cap_w_; }
  // The cluster's draw with every replica between iterations: the least any cap must leave.
  double floor_w() const;

  // Replica `r` starts `iteration` at `now` (the states from the iteration's first_state on
  // must be priced when capped). Other replicas may change pace: see moved().
  void start(int r, double now, std::shared_ptr<const IterationAtStates> iteration);
  // Replica `r`'s iteration ends at `now`. With `settle` false the other replicas keep their
  // pace until settle() or the next start() at the same time: a replica that starts its next
  // iteration at once moves the others once, from the pace before to the pace after, instead of
  // up for the finish and down again for the start (the same states and times: only a pace
  // held for no time is skipped).
  IterationDone finish(int r, double now, bool settle = true);
  // Moves the paces for the finishes not yet settled; false when there were none.
  bool settle(double now);
  // Seconds replica `r`'s running iteration still needs at its present pace, from when that
  // pace began (its start, or the call that listed it in moved()).
  double remaining_s(int r) const;
  // Replicas other than the caller whose pace the last start(), finish() or settle() changed:
  // their remaining time is remaining_s now.
  const std::vector<int>& moved() const { return moved_; }

  // Closes the record at the end of the run.
  void end(double now);
  double peak_w() const { return peak_w_; }
  long long throttled_iterations() const { return throttled_; }
  // (time, cluster device power) at every change, when kept; the first at time 0.
  const std::vector<ClusterPowerSample>& samples() const { return samples_; }

 private:
  struct Replica {
    bool busy = false;
    std::shared_ptr<const IterationAtStates> it;
    int state = 0;
    double stretch = 1;
    double progress = 0;  // fraction of the iteration done before `since_s`
    double since_s = 0;   // start of the present pace
    int segments = 0;
    IterationDone done;  // accumulated over the finished segments
  };
  double pace_s(const Replica& r) const;  // the whole iteration's time at its present pace
  double draw_w(const Replica& r) const;  // all its devices, now
  // Closes the present pace's segment at `now`, `fraction` of the iteration done in it.
  void close_segment(Replica& r, double now, double fraction);
  void set_demand(size_t i);                  // the governor's demand of replica `i`, as it is now
  void redistribute(int caller, double now);  // caller -1: none
  void note(double now);
  void commit(const ClusterPowerSample& s);

  std::vector<DvfsPoint> states_;
  int tp_ = 1;
  double unused_w_ = 0, held_w_ = 0, cap_w_ = 0;
  // One demand per replica, and the unused devices' last when there are any.
  std::optional<IncrementalGovernor> governor_;
  std::vector<Replica> replicas_;
  std::vector<int> moved_;
  bool keep_samples_ = false;
  bool pending_ = false;    // last_ is not committed yet
  bool unsettled_ = false;  // a finish has not moved the paces yet
  ClusterPowerSample last_;
  double peak_w_ = 0;
  long long throttled_ = 0;
  std::vector<ClusterPowerSample> samples_;
};

}  // namespace kcsim

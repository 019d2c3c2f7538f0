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

#include <optional>
#include <vector>

#include "analysis/results.hpp"
#include "sim/power/power_governor.hpp"
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
  void start(int r, double now, IterationAtStates iteration);
  // Replica `r`'s iteration ends at `now`.
  IterationDone finish(int r, double now);
  // Seconds replica `r`'s running iteration still needs at its present pace.
  double remaining_s(int r) const;
  // Replicas other than the caller whose pace the last start() or finish() changed: their
  // remaining time is remaining_s now.
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
    IterationAtStates it;
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
  void redistribute(int caller, double now);
  void note(double now);
  void commit(const ClusterPowerSample& s);

  std::vector<DvfsPoint> states_;
  int tp_ = 1;
  double unused_w_ = 0, held_w_ = 0, cap_w_ = 0;
  std::optional<PowerGovernor> governor_;
  std::vector<Replica> replicas_;
  std::vector<DeviceDemand> demands_;  // the governor's input, kept between calls
  std::vector<int> moved_;
  bool keep_samples_ = false;
  bool pending_ = false;
  ClusterPowerSample last_;
  double peak_w_ = 0;
  long long throttled_ = 0;
  std::vector<ClusterPowerSample> samples_;
};

}  // namespace kcsim

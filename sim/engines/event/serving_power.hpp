// Serving iterations on the event engine at the DVFS states the power caps give them
// (serving_dvfs.hpp per iteration, serving_power_cap.hpp across the cluster). The calling
// replica's actor waits until its iteration is done. Under a cluster cap a pacer actor keeps
// every running iteration's end at the pace the cap gives it, moves the ends when the cap moves
// the paces, and wakes each replica's actor when its iteration ends.
#pragma once

#include <limits>
#include <vector>

#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Mutex.hpp>

#include "sim/power/serving_power_cap.hpp"

namespace kcsim::event {

class ServingPower {
 public:
  // `cluster_cap_w` 0: no cluster cap; `keep_samples`: keep the power samples for the output.
  ServingPower(const ClusterModel& cluster, const ServingSpec& spec, double cluster_cap_w,
               bool keep_samples);

  // Starts the pacer on `host`, under a cluster cap; call once, before the replicas start.
  void start(simgrid::s4u::Host* host);

  // Prices `batch` and runs it as replica `replica` on the calling actor.
  IterationDone run(int replica, const MixedBatch& batch);

  // Closes the power record at `end_s` and puts it in `load`: the cap, the peak, the throttled
  // iterations and the samples.
  void record(double end_s, ServingLoadResult& load);

 private:
  static constexpr double kNotRunning = std::numeric_limits<double>::infinity();

  // Sets the end of `caller`'s iteration (-1: none) and of every iteration the cap moved, and
  // wakes the pacer to wait for the earliest.
  void retime(int caller);
  // The pacer: ends each iteration when its end comes.
  void pace();

  struct Pace {
    simgrid::s4u::MutexPtr mutex;  // held by the replica's actor while it waits
    simgrid::s4u::ConditionVariablePtr changed;
  };

  DvfsBatchCost costs_;
  ClusterPowerCap cap_;
  std::vector<double> end_s_;  // by replica: when its running iteration ends; kNotRunning
  std::vector<char> done_;     // by replica: the pacer ended its iteration
  std::vector<Pace> paces_;    // by replica
  simgrid::s4u::MutexPtr pacer_mutex_;
  simgrid::s4u::ConditionVariablePtr pacer_wakeup_;
};

}  // namespace kcsim::event

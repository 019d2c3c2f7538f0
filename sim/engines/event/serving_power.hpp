// Serving iterations on the event engine at the DVFS states the power caps give them
// (serving_dvfs.hpp per iteration, serving_power_cap.hpp across the cluster). The calling
// replica's actor waits until its iteration is done. Under a cluster cap it waits for the end
// its iteration has at its present pace, and is woken to wait again when the cap moves that
// pace (another replica's start or finish).
#pragma once

#include <vector>

#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Mutex.hpp>

#include "sim/power/serving_power_cap.hpp"

namespace kcsim::event {

class ServingPower {
 public:
  // `cluster_cap_w` 0: no cluster cap; `keep_samples`: keep the power samples for the output.
  ServingPower(const ClusterModel& cluster, const ServingSpec& spec, double cluster_cap_w,
               bool keep_samples);

  // Prices `batch` and runs it as replica `replica` on the calling actor. Under a cluster cap
  // the end of the iteration moves the other replicas' paces only when the replica starts its
  // next iteration or calls idle(), both at the same time (before the clock moves).
  IterationDone run(int replica, const MixedBatch& batch);
  // Called by a replica with nothing to run next: the other replicas take up what it drew.
  void idle();

  // Closes the power record at `end_s` and puts it in `load`: the cap, the peak, the throttled
  // iterations and the samples.
  void record(double end_s, ServingLoadResult& load);

 private:
  // Sets the end of every iteration the cap has just moved, and wakes their actors to wait
  // for it.
  void move_others();

  struct Pace {
    simgrid::s4u::MutexPtr mutex;  // held by the replica's actor while it waits
    simgrid::s4u::ConditionVariablePtr moved;
  };

  DvfsBatchCost costs_;
  ClusterPowerCap cap_;
  std::vector<double> end_s_;  // by replica: when its running iteration ends at its pace
  std::vector<Pace> paces_;    // by replica
};

}  // namespace kcsim::event

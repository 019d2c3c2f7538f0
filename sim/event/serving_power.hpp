// Serving iterations on the event engine at the DVFS states the power caps give them
// (serving_dvfs.hpp per iteration, serving_power_cap.hpp across the cluster). The calling
// replica's actor runs its iteration as one activity; when the cluster cap changes the pace of a
// running iteration, that activity is cancelled and its actor runs what is left at the new pace.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include <simgrid/s4u/Exec.hpp>

#include "sim/serving_power_cap.hpp"

namespace kcsim::event {

class ServingPower {
 public:
  // `cluster_cap_w` 0: no cluster cap; `keep_samples`: keep the power samples for the output.
  ServingPower(const ClusterModel& cluster, const ServingSpec& spec, double cluster_cap_w,
               bool keep_samples);

  // Prices `batch` and runs it as replica `replica` on the calling actor.
  IterationDone run(int replica, const MixedBatch& batch);

  // The power record as a section of the loop's output (closed at `end_s`), and back.
  std::string write(double end_s);
  static void read(std::istream& in, ServingLoadResult& load);

 private:
  void retime(std::vector<int> replicas);

  DvfsBatchCost costs_;
  ClusterPowerCap cap_;
  std::vector<simgrid::s4u::ExecPtr> running_;  // by replica; null between iterations
  std::vector<char> cancelled_;                 // by replica: its activity was re-timed
};

}  // namespace kcsim::event

// The event engine for training: one iteration on a SimGrid timeline. Every device is an actor
// running the 1F1B schedule (interleaved when the plan has virtual stages) of its pipeline stage; tensor-, expert- and data-parallel
// collectives are ring flows on the cluster's topology, so links are shared, communication
// overlaps compute, and a slow device or a thin link shows.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "analysis/results.hpp"
#include "sim/cluster_model.hpp"
#include "sim/training_spec.hpp"

namespace kcsim {

struct EventOptions {
  // Simulate one data-parallel replica; the gradient reduction is then priced in closed form.
  // Ignored when stragglers are given (replicas are no longer identical).
  bool reduce_symmetry = false;
  // (rank, factor): the device's compute takes factor times as long.
  std::vector<std::pair<int, double>> stragglers;
  // When set, a Chrome/Perfetto trace of the run is written here.
  std::string trace_out;
};

// Runs in a child process (SimGrid allows one engine per process). Throws InputError for a
// straggler rank out of range or a trace path in a missing folder.
TrainingResult simulate_training_event(const ClusterModel& cluster, const TrainingSpec& spec,
                                       const EventOptions& options = {});

}  // namespace kcsim

// The event engine for training: one iteration on a SimGrid timeline. Every device is an actor
// running the 1F1B schedule (interleaved when the plan has virtual stages) of its pipeline stage; tensor-, expert- and data-parallel
// collectives are ring flows on the cluster's topology, so links are shared, communication
// overlaps compute, and a slow device or a thin link shows.
#pragma once

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/training_spec.hpp"
#include "sim/engines/event_options.hpp"

namespace kcsim {

// Runs in a child process (SimGrid allows one engine per process). Throws InputError for a
// straggler rank out of range or a trace path in a missing folder.
TrainingResult simulate_training_event(const ClusterModel& cluster, const TrainingSpec& spec,
                                       const EventOptions& options = {});

}  // namespace kcsim

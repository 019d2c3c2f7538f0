// The training run's actors on the event engine: what they share (the run, each device's time)
// and the schedule each runs, one pipeline stage's device or its whole tensor-parallel group.
#pragma once

#include <vector>

#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/slice_exchange.hpp"

namespace kcsim::event_training {

// Where each device's time went.
struct DeviceTime {
  double compute_s = 0, recompute_s = 0, tp_s = 0, ep_s = 0, pipeline_wait_s = 0;
  double dp_exposed_s = 0, optimizer_s = 0, finish_s = 0;
  // Waits for the pipeline in the steady one-forward-one-backward phase, after its first pair
  // (whose backward waits for the pipeline to fill), and how many micro-batches that spans.
  double steady_wait_s = 0;
  int steady_steps = 0;
  // Compute and collectives: what the device spent working on its micro-batches.
  double busy_s() const { return compute_s + recompute_s + tp_s + ep_s; }
};

// Everything the device actors share.
struct Run {
  const ClusterModel& cluster;
  const TrainingSpec& spec;
  const TrainingCosts& costs;
  event::Platform platform;
  std::vector<double> slowdown{};  // per rank
  bool reduced = false;
  std::vector<DeviceTime> times{};  // per rank
  // Only tensor-parallel rings use the links inside a server (no pipeline, data- or
  // expert-parallel traffic stays inside): those rings can take their closed-form time.
  bool tp_links_private = false;
  // Every tensor-parallel ring stays inside one server on those private links: all of it takes
  // its closed-form time, and no ring runs as flows.
  bool tp_rings_closed_form = false;
  event::SliceExchange exchange{};  // the stages' pipeline slices

  int tp() const { return spec.setup.tp; }
  int pp() const { return spec.setup.pp; }
  int rank(int replica, int stage, int tp_rank) const {
    return (replica * pp() + stage) * tp() + tp_rank;
  }
};

// The devices one actor runs: a single device, or a tensor-parallel group that moves as one.
// Megatron's tensor-parallel ranks meet at every layer's all-reduce, so a group whose rings
// run on the server's private links (their closed-form time) and whose ranks are alike does
// the same thing at the same times on each rank; one actor runs it, and every rank's pipeline
// sends and gradient rings still run as flows of their own.
struct Ranks {
  int first = 0;
  int count = 1;
  int operator[](int k) const { return first + k; }
};

// Runs the schedule of `ranks` on the calling actor: its micro-batches' forwards and backwards,
// then each device's gradient collectives, optimizer step and finish.
void stage_program(Run& run, Ranks ranks);

}  // namespace kcsim::event_training

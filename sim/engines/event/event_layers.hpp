// The event engine for a layer-by-layer data-parallel step: every device runs the gradient
// all-reduces in order as ring flows on the cluster's topology, each once its layer's backward
// is done, so they share links with every other device's and queue behind one another. Where no
// two devices' flows ever share a link, the same timeline is computed without flows
// (platform/lone_rings.hpp), unless `options.actor_per_device` asks for them.
#pragma once

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/layer_workload_spec.hpp"
#include "sim/engines/event_options.hpp"

namespace kcsim {

// Runs in a child process (SimGrid allows one engine per process).
LayerStepResult simulate_layers_event(const LayerWorkloadSpec& spec, const ClusterModel& cluster,
                                      const EventOptions& options = {});

}  // namespace kcsim

// What a training run may ask beyond its plan: stragglers, one replica simulated for all, an
// actor per device, a trace.
// Only the event engine runs them; the analytical engine refuses a run that asks for any.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace kcsim {

struct EventOptions {
  bool any() const {
    return reduce_symmetry || actor_per_device || !stragglers.empty() || !trace_out.empty();
  }

  // Simulate one data-parallel replica; the gradient reduction is then priced in closed form.
  // Ignored when stragglers are given (replicas are no longer identical).
  bool reduce_symmetry = false;
  // Run every device as an actor of its own, its collectives as flows. Otherwise a
  // tensor-parallel group whose ranks are alike (no straggler) and whose rings stay on the
  // server's private links runs as one actor: the same flows, several times faster
  // (engines/event/training_stage.hpp); and a layer workload whose rings never share a link is
  // timed without flows, to the same results (engines/event/platform/lone_rings.hpp).
  bool actor_per_device = false;
  // (rank, factor): the device's compute takes factor times as long.
  std::vector<std::pair<int, double>> stragglers;
  // When set, a Chrome/Perfetto trace of the run is written here.
  std::string trace_out;
};

}  // namespace kcsim

// How a training plan runs on the event engine: what the caller may ask of the run beyond the
// plan itself.
#pragma once

#include <string>
#include <utility>
#include <vector>

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

}  // namespace kcsim

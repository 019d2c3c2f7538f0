// An observer of the event engine that accounts device energy from spans that carry their own
// draw (SpanEvent::power_w: Chakra replay prices each node on its own): every device is held at
// `floor_w` over the run and draws a span's power while the span runs. A span without a draw
// adds nothing above the floor. The engine knows nothing of it.
#pragma once

#include <vector>

#include "sim/engines/event/platform/span_signal.hpp"
#include "sim/power/cluster_energy.hpp"

namespace kcsim::event {

class SpanEnergy {
 public:
  SpanEnergy(int devices, double floor_w)
      : floor_w_(floor_w), above_floor_j_(static_cast<size_t>(devices), 0.0) {}
  // Subscribes to spans until the observer is destroyed.
  void attach();
  // The devices' energy over a run of `duration_s`.
  DeviceEnergy finish(double duration_s) const;

 private:
  double floor_w_;
  std::vector<double> above_floor_j_;  // by device
  SpanSignal::Connection span_connection_;
};

}  // namespace kcsim::event

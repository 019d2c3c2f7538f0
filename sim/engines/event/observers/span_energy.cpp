#include "sim/engines/event/observers/span_energy.hpp"

namespace kcsim::event {

void SpanEnergy::attach() {
  span_connection_ = span_signal().connect([this](const SpanEvent& span) {
    if (span.power_w <= 0) return;
    above_floor_j_.at(static_cast<size_t>(span.rank)) +=
        (span.power_w - floor_w_) * (span.end_s - span.start_s);
  });
}

DeviceEnergy SpanEnergy::finish(double duration_s) const {
  DeviceEnergy devices;
  for (double above : above_floor_j_) devices.device_j += floor_w_ * duration_s + above;
  return devices;
}

}  // namespace kcsim::event

#include "sim/event/power_series_observer.hpp"

#include <algorithm>
#include <string_view>

#include "sim/power_steps.hpp"

namespace kcsim::event {
void PowerSeriesObserver::attach() {
  add_span_observer([this](const SpanEvent& span) {
    if (std::string_view(span.track) != "compute" || !(span.end_s > span.start_s)) return;
    spans_.push_back({span.start_s, span.end_s});
  });
}

TimeSeries PowerSeriesObserver::series(double duration_s, int devices, double scale, double extra_w,
                                       size_t max_samples) const {
  // (time, +1 busy device at a span's start, -1 at its end), in time order.
  std::vector<std::pair<double, int>> changes;
  changes.reserve(2 * spans_.size());
  for (const auto& [start, end] : spans_) {
    changes.push_back({std::clamp(start, 0.0, duration_s), 1});
    changes.push_back({std::clamp(end, 0.0, duration_s), -1});
  }
  std::sort(changes.begin(), changes.end());
  // Counting busy devices, not adding watts, so the power after a change never drifts.
  auto power = [&](long busy) {
    return scale * (devices * held_w_ + static_cast<double>(busy) * (busy_w_ - held_w_)) + extra_w;
  };
  std::vector<PowerSample> steps{{0.0, power(0)}};
  long busy = 0;
  for (size_t i = 0; i < changes.size();) {
    double time = changes[i].first;
    while (i < changes.size() && changes[i].first == time) busy += changes[i++].second;
    if (time >= duration_s) break;
    double watts = power(busy);
    if (steps.back().time_s == time)
      steps.back().power_w = watts;  // changes at time 0
    else if (steps.back().power_w != watts)
      steps.push_back({time, watts});
  }
  TimeSeries out;
  out.names = {"time_s", "device_power_w"};
  out.columns.resize(2);
  for (const auto& sample : bounded_power_steps(steps, duration_s, max_samples)) {
    out.columns[0].push_back(sample.time_s);
    out.columns[1].push_back(sample.power_w);
  }
  return out;
}

}  // namespace kcsim::event

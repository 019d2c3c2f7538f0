#include "sim/engines/event/observers/power_series_observer.hpp"

#include <algorithm>
#include <string_view>

#include "sim/power/power_steps.hpp"

namespace kcsim::event {

void PowerSeriesObserver::attach() {
  span_connection_ = span_signal().connect([this](const SpanEvent& span) {
    std::string_view track(span.track);
    if (!(span.end_s > span.start_s) || (track != "compute" && track != "collectives")) return;
    bool collective = track == "collectives";
    if (!spans_.empty()) {
      auto& last = spans_.back();
      if (last.start == span.start_s && last.end == span.end_s && last.collective == collective) {
        ++last.count;
        return;
      }
    }
    spans_.push_back({span.start_s, span.end_s, collective, 1});
  });
}

TimeSeries PowerSeriesObserver::series(double duration_s, int devices, double scale, double extra_w,
                                       size_t max_samples) const {
  // (time, +1 device at a span's start, -1 at its end, which count), in time order.
  struct Change {
    double time;
    int delta;
    bool collective;
    bool operator<(const Change& o) const {
      return time != o.time     ? time < o.time
             : delta != o.delta ? delta < o.delta
                                : collective < o.collective;
    }
  };
  std::vector<Change> changes;
  changes.reserve(2 * spans_.size());
  for (const auto& span : spans_) {
    changes.push_back({std::clamp(span.start, 0.0, duration_s), span.count, span.collective});
    changes.push_back({std::clamp(span.end, 0.0, duration_s), -span.count, span.collective});
  }
  std::sort(changes.begin(), changes.end());
  // Counting devices, not adding watts, so the power after a change never drifts.
  auto power = [&](long busy, long in_collective) {
    return scale * (devices * held_w_ + static_cast<double>(busy) * (busy_w_ - held_w_) +
                    static_cast<double>(in_collective) * (collective_w_ - held_w_)) +
           extra_w;
  };
  std::vector<PowerSample> steps{{0.0, power(0, 0)}};
  long busy = 0, in_collective = 0;
  for (size_t i = 0; i < changes.size();) {
    double time = changes[i].time;
    while (i < changes.size() && changes[i].time == time) {
      (changes[i].collective ? in_collective : busy) += changes[i].delta;
      ++i;
    }
    if (time >= duration_s) break;
    double watts = power(busy, in_collective);
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

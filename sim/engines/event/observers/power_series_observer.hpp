// An observer of the event engine that records the cluster's device power over time: every
// compute span lifts one device from held to busy power for its length, every collective span to
// a collective's power, as EnergyLedger prices them, so the steps integrate to the ledger's
// device and memory energy of the same spans.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "analysis/results.hpp"
#include "sim/engines/event/platform/span_signal.hpp"

namespace kcsim::event {

class PowerSeriesObserver {
 public:
  // A device draws `held_w` between its spans, `busy_w` during compute spans and
  // `collective_w` during collective spans.
  PowerSeriesObserver(double held_w, double busy_w, double collective_w)
      : held_w_(held_w), busy_w_(busy_w), collective_w_(collective_w) {}
  PowerSeriesObserver(double held_w, double busy_w) : PowerSeriesObserver(held_w, busy_w, held_w) {}
  // Subscribes to spans until the observer is destroyed.
  void attach();

  // time_s and device_power_w from 0 to `duration_s`: the `devices` observed devices, their power
  // times `scale` (they stand for that many times as many), plus `extra_w` throughout. One sample
  // per change, the last at `duration_s`; past `max_samples` the steps are averaged into that
  // many equal bins, which keeps the integral.
  TimeSeries series(double duration_s, int devices, double scale, double extra_w,
                    size_t max_samples) const;

 private:
  double held_w_, busy_w_, collective_w_;
  // Spans alike (a tensor-parallel group's ranks announce theirs together) are kept once, with
  // their count.
  struct Span {
    double start, end;
    bool collective;
    int count;
  };
  std::vector<Span> spans_;
  SpanSignal::Connection span_connection_;
};

}  // namespace kcsim::event

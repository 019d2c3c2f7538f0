// An observer of the event engine that writes a Chrome/Perfetto trace: a process per device with
// compute, collective and pipeline tracks and a power counter, and a utilisation counter per
// link that carried traffic.
#pragma once

#include <filesystem>
#include <unordered_map>
#include <vector>

#include <simgrid/s4u/Link.hpp>

#include "analysis/timeline.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "sim/engines/event/platform/span_signal.hpp"

namespace kcsim::event {

class TraceRecorder {
 public:
  // A device draws `busy_w` during its compute spans, `collective_w` during its collective
  // spans and `idle_w` otherwise (the held-idle power of a device the job holds).
  TraceRecorder(const Platform& platform, double busy_w, double idle_w, double collective_w)
      : platform_(platform), busy_w_(busy_w), idle_w_(idle_w), collective_w_(collective_w) {}
  TraceRecorder(const Platform& platform, double busy_w, double idle_w)
      : TraceRecorder(platform, busy_w, idle_w, idle_w) {}
  // Subscribes to spans and flows until the recorder is destroyed.
  void attach();
  // Adds the link counters and writes the trace (temporary file, then rename).
  void write(const std::filesystem::path& path);

 private:
  TrackId track(int rank, const char* name);
  // Each device's power counter from its compute and collective spans.
  void add_power_counters();

  const Platform& platform_;
  double busy_w_ = 0, idle_w_ = 0, collective_w_ = 0;
  Timeline timeline_;
  std::vector<CounterId> power_;  // per rank
  struct PowerSpan {
    double start_s, end_s, power_w;
  };
  std::vector<std::vector<PowerSpan>> power_spans_;  // per rank
  std::unordered_map<long long, TrackId> tracks_;
  // Per link direction: (time, rate change in bytes per second) at each flow's start and end.
  std::unordered_map<const simgrid::s4u::Link*, std::vector<std::pair<double, double>>> rates_;
  SpanSignal::Connection span_connection_;
  FlowSignal::Connection flow_connection_;
};

}  // namespace kcsim::event

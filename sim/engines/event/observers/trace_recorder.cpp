#include "sim/engines/event/observers/trace_recorder.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include <simgrid/s4u/Host.hpp>

#include "analysis/perfetto_writer.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "sim/engines/event/platform/span_signal.hpp"

namespace kcsim::event {
namespace sg4 = simgrid::s4u;

TrackId TraceRecorder::track(int rank, const char* name) {
  // Three tracks per device: compute, collectives, pipeline.
  int kind = std::string_view(name) == "compute"       ? 0
             : std::string_view(name) == "collectives" ? 1
                                                       : 2;
  long long key = static_cast<long long>(rank) * 3 + kind;
  auto it = tracks_.find(key);
  if (it != tracks_.end()) return it->second;
  TrackId id = timeline_.track("device " + std::to_string(rank), name);
  tracks_.emplace(key, id);
  return id;
}

void TraceRecorder::attach() {
  // Name every device's tracks first, in rank order, so the viewer lists them in order.
  for (int rank = 0; rank < static_cast<int>(platform_.devices.size()); ++rank) {
    for (const char* name : {"compute", "collectives", "pipeline"}) track(rank, name);
    power_.push_back(timeline_.counter("device " + std::to_string(rank), "power", "W"));
    timeline_.add_counter(power_.back(), 0, idle_w_);  // held by the job from the start
  }
  power_spans_.resize(platform_.devices.size());
  span_connection_ = span_signal().connect([this](const SpanEvent& span) {
    if (!(span.end_s > span.start_s)) return;
    timeline_.add_span(track(span.rank, span.track), span.name, span.track, span.start_s,
                       span.end_s);
    std::string_view kind(span.track);
    if (kind == "compute") {
      power_spans_[span.rank].push_back(
          {span.start_s, span.end_s, span.power_w > 0 ? span.power_w : busy_w_});
    } else if (kind == "collectives") {
      power_spans_[span.rank].push_back({span.start_s, span.end_s, collective_w_});
    }
  });
  flow_connection_ = flow_signal().connect([this](const FlowEvent& flow) {
    if (!flow.from || !flow.to || !(flow.end_s > flow.start_s)) return;
    const auto& links = route_links(flow.from, flow.to);
    double rate = flow.bytes / (flow.end_s - flow.start_s);
    for (const auto* link : links.links) {
      auto& changes = rates_[link];
      changes.emplace_back(flow.start_s, rate);
      changes.emplace_back(flow.end_s, -rate);
    }
  });
}

void TraceRecorder::add_power_counters() {
  // Spans arrive as they end and may overlap (a collective stream beside the compute): at every
  // time the device draws the most of what runs then, the held power when nothing does.
  for (size_t rank = 0; rank < power_spans_.size(); ++rank) {
    std::vector<std::pair<double, const PowerSpan*>> changes;  // (time, span): start or end
    for (const auto& span : power_spans_[rank]) {
      changes.emplace_back(span.start_s, &span);
      changes.emplace_back(span.end_s, &span);
    }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::multiset<double> running;
    double drawn = idle_w_;
    for (size_t i = 0; i < changes.size(); ++i) {
      const auto& [time, span] = changes[i];
      if (time == span->start_s) {
        running.insert(span->power_w);
      } else {
        running.erase(running.find(span->power_w));
      }
      bool last_at_this_time = i + 1 == changes.size() || changes[i + 1].first > time;
      double now = running.empty() ? idle_w_ : *running.rbegin();
      if (last_at_this_time && now != drawn) {
        timeline_.add_counter(power_[rank], time, now);
        drawn = now;
      }
    }
  }
}

void TraceRecorder::write(const std::filesystem::path& path) {
  add_power_counters();
  // Links in name order, so the same run writes the same bytes.
  std::vector<const sg4::Link*> links;
  for (const auto& entry : rates_) links.push_back(entry.first);
  std::sort(links.begin(), links.end(),
            [](const sg4::Link* a, const sg4::Link* b) { return a->get_name() < b->get_name(); });
  for (const auto* link : links) {
    auto changes = rates_[link];
    std::stable_sort(changes.begin(), changes.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    CounterId counter = timeline_.counter("links", link->get_name(), "utilization");
    double rate = 0;
    for (size_t i = 0; i < changes.size(); ++i) {
      rate += changes[i].second;
      bool last_at_this_time = i + 1 == changes.size() || changes[i + 1].first > changes[i].first;
      if (last_at_this_time) {
        timeline_.add_counter(counter, changes[i].first,
                              std::max(0.0, rate) / link->get_bandwidth());
      }
    }
  }
  write_chrome_trace(timeline_, path);
}

}  // namespace kcsim::event

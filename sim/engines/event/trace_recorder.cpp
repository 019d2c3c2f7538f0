#include "sim/engines/event/trace_recorder.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include <simgrid/s4u/Host.hpp>

#include "analysis/perfetto_writer.hpp"
#include "sim/engines/event/platform.hpp"
#include "sim/engines/event/ring_flows.hpp"
#include "sim/engines/event/span_signal.hpp"

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
  add_span_observer([this](const SpanEvent& span) {
    if (!(span.end_s > span.start_s)) return;
    timeline_.add_span(track(span.rank, span.track), span.name, span.track, span.start_s,
                       span.end_s);
    std::string_view kind(span.track);
    if (kind == "compute" || kind == "collectives") {
      timeline_.add_counter(power_[span.rank], span.start_s,
                            kind == "compute" ? busy_w_ : collective_w_);
      timeline_.add_counter(power_[span.rank], span.end_s, idle_w_);
    }
  });
  add_flow_observer([this](const FlowEvent& flow) {
    if (!flow.from || !flow.to || !(flow.end_s > flow.start_s)) return;
    const auto& links = route_links(flow.from, flow.to);
    double rate = flow.bytes / (flow.end_s - flow.start_s);
    for (const auto* link : links) {
      auto& changes = rates_[link];
      changes.emplace_back(flow.start_s, rate);
      changes.emplace_back(flow.end_s, -rate);
    }
  });
}

void TraceRecorder::write(const std::filesystem::path& path) {
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

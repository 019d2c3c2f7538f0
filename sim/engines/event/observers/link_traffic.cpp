#include "sim/engines/event/observers/link_traffic.hpp"

#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"

#include <algorithm>

#include <simgrid/s4u/Host.hpp>

namespace kcsim::event {
namespace sg4 = simgrid::s4u;

void LinkTraffic::attach() {
  flow_connection_ = flow_signal().connect([this](const FlowEvent& flow) {
    if (!flow.from || !flow.to) return;
    const auto& links = route_links(flow.from, flow.to);
    for (const auto* link : links) bytes_[link] += flow.bytes;
  });
}

std::vector<LinkUse> LinkTraffic::busiest(size_t count, double duration_s) const {
  std::vector<LinkUse> uses;
  for (const auto& [link, bytes] : bytes_) {
    double capacity = link->get_bandwidth() * duration_s;
    uses.push_back({link->get_name(), bytes, capacity > 0 ? bytes / capacity : 0});
  }
  // Ties broken by name: the same run lists the same links.
  std::sort(uses.begin(), uses.end(), [](const LinkUse& a, const LinkUse& b) {
    return a.utilization != b.utilization ? a.utilization > b.utilization : a.name < b.name;
  });
  if (uses.size() > count) uses.resize(count);
  return uses;
}

}  // namespace kcsim::event

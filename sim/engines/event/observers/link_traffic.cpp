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
    const auto& route = route_links(flow.from, flow.to);
    for (size_t i = 0; i < route.ids.size(); ++i) {
      auto id = static_cast<size_t>(route.ids[i]);
      if (id >= bytes_.size()) {
        bytes_.resize(id + 1, 0.0);
        links_.resize(id + 1, nullptr);
      }
      bytes_[id] += flow.bytes;
      links_[id] = route.links[i];
    }
  });
}

std::vector<LinkUse> LinkTraffic::busiest(size_t count, double duration_s) const {
  std::vector<LinkUse> uses;
  for (size_t id = 0; id < bytes_.size(); ++id) {
    const auto* link = links_[id];
    if (!link) continue;
    double bytes = bytes_[id];
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

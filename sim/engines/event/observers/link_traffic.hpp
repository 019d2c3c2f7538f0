// An observer of the event engine: bytes carried per link direction, from the flows the engine
// announces. The engine knows nothing of it.
#pragma once

#include <vector>

#include <simgrid/s4u/Link.hpp>

#include "analysis/results.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"

namespace kcsim::event {

class LinkTraffic {
 public:
  // Subscribes to every flow from now on, until the object is destroyed.
  void attach();
  // The `count` busiest link directions over a run of `duration_s`, busiest first.
  std::vector<LinkUse> busiest(size_t count, double duration_s) const;

 private:
  // By the platform's link index (platform.hpp, route_links): bytes carried, and the link
  // direction, null for one no flow has used.
  std::vector<double> bytes_;
  std::vector<const simgrid::s4u::Link*> links_;
  FlowSignal::Connection flow_connection_;
};

}  // namespace kcsim::event

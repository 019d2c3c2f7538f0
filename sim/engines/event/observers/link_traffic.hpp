// An observer of the event engine: bytes carried per link direction, from the flows the engine
// announces. The engine knows nothing of it.
#pragma once

#include <unordered_map>
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
  std::unordered_map<const simgrid::s4u::Link*, double> bytes_;
  FlowSignal::Connection flow_connection_;
};

}  // namespace kcsim::event

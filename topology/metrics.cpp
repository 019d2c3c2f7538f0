#include "topology/metrics.hpp"

namespace kcsim::topology {

TopologyMetrics compute_metrics(const Topology& topology) {
  TopologyMetrics metrics;
  metrics.devices = topology.device_count();
  metrics.switches = topology.switch_count();
  metrics.links = topology.link_count();
  metrics.diameter_hops = device_diameter_hops(topology);
  metrics.bisection_bandwidth_bytes_per_s = bisection_bandwidth_bytes_per_s(topology);
  return metrics;
}

}  // namespace kcsim::topology

// Figures that describe a topology as a whole.
#pragma once

#include <cstddef>

#include "topology/graph.hpp"

namespace kcsim::topology {

struct TopologyMetrics {
  std::size_t devices = 0;
  std::size_t switches = 0;
  std::size_t links = 0;
  int diameter_hops = 0;
  double bisection_bandwidth_bytes_per_s = 0;
};

// The most hops on any route between two devices, counting hops as Router does (switches and
// forwarding devices only; a server's own fabric for traffic inside it). Throws
// std::runtime_error when some device cannot reach another.
int device_diameter_hops(const Topology& topology);

// Per direction: the maximum flow from the devices of rank < N/2 to the rest (the minimum cut
// between the two halves), with every link carrying its bandwidth in either direction.
double bisection_bandwidth_bytes_per_s(const Topology& topology);

TopologyMetrics compute_metrics(const Topology& topology);

}  // namespace kcsim::topology

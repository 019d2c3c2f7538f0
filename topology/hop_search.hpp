// Breadth-first hop counts over the vertices a route may use (shared by routing and metrics).
#pragma once

#include <optional>
#include <vector>

#include "topology/graph.hpp"

namespace kcsim::topology::detail {

inline constexpr int kUnreached = -1;

class HopSearch {
 public:
  explicit HopSearch(const Topology& topology);

  // Hop counts from `start`. A route passes only through vertices that forward; with
  // `within_node`, it also stays on that server's vertices. A vertex that is reached but may not
  // be passed through (a device) still gets its count. Valid until the next run.
  const std::vector<int>& run(Vertex start, std::optional<int> within_node = std::nullopt);
  // Hop counts from `start` of the vertices that forward (start included), the only ones a
  // route passes through; the devices at the network's edge are left unreached, so a search
  // costs the switches, not every device. Valid until the next run.
  const std::vector<int>& run_forwarding(Vertex start);
  // The vertices the last run reached, in visit order.
  const std::vector<Vertex>& reached() const { return reached_; }

 private:
  // Forgets the last run and reaches `start` at 0 hops.
  void restart(Vertex start);

  const Topology& topology_;
  std::vector<char> forwards_;  // by vertex: read for every neighbour, kept apart from the graph
  std::vector<int> hops_;
  std::vector<Vertex> reached_;  // in visit order; doubles as the queue
};

}  // namespace kcsim::topology::detail

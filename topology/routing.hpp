// Routes between devices: fewest hops, equal-cost paths spread over flows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "topology/graph.hpp"
#include "topology/hop_search.hpp"

namespace kcsim::topology {

struct Route {
  std::vector<Vertex> vertices;  // source device first, destination device last
  std::vector<Edge> links;
  double bottleneck_bandwidth_bytes_per_s = 0;  // per direction; +infinity for a device to itself
  double latency_s = 0;                         // summed over the links

  int hops() const { return static_cast<int>(links.size()); }
};

// Holds a reference to the topology, which must outlive it. Not thread-safe (it caches).
class Router {
 public:
  explicit Router(const Topology& topology);

  // The route with the fewest hops, passing only through switches (and forwarding devices, as in
  // a torus). Traffic between two devices of one server stays on the server's own fabric when it
  // has one, even where the scale-out network would be as short. Where several next hops are
  // equally short, a hash of (source, destination, flow, current vertex) picks one, so a flow
  // always takes the same path and different flows spread over the equal-cost paths (ECMP).
  // Throws std::out_of_range for an unknown rank and std::runtime_error when no route exists.
  Route route(int source_rank, int destination_rank, std::uint64_t flow_id = 0);

 public:
  // Hop counts from one vertex: dense, or the few vertices reached (a server's own switch).
  class Hops {
   public:
    Hops(const std::vector<int>& hops, const std::vector<Vertex>& reached);
    int operator[](Vertex v) const;

   private:
    std::vector<int> dense_;
    std::vector<std::pair<Vertex, int>> sparse_;  // by vertex
  };

 private:
  // Hop counts from a vertex over the whole network, kept for recent vertices.
  std::shared_ptr<const Hops> hops_from(Vertex start);

  const Topology& topology_;
  detail::HopSearch search_;
  std::unordered_map<Vertex, std::shared_ptr<const Hops>> hops_from_;
};

// A one-off route (builds a Router each call).
Route shortest_route(const Topology& topology, int source_rank, int destination_rank,
                     std::uint64_t flow_id = 0);

}  // namespace kcsim::topology

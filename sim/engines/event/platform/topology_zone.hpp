// A SimGrid network zone that routes by the topology's own router (fewest hops, equal-cost
// paths spread by hash), computing each route the first time a flow needs it. SimGrid's full
// zone would hold an N x N table (gigabytes at 16k devices) and its shortest-path zones would
// send every flow over the same spine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <simgrid/s4u/Link.hpp>

#include "topology/graph.hpp"
#include "topology/routing.hpp"

namespace kcsim::event {

class TopologyZone : public simgrid::kernel::routing::NetZoneImpl {
 public:
  // Keeps its own copy of `topology`: SimGrid owns the zone and may outlive the caller's graph.
  TopologyZone(const std::string& name, const topology::Topology& topology);

  // Registers what the zone created for a graph vertex, and for each graph link in the order of
  // the topology's links() (named as in the topology; UP carries traffic away from the link's
  // lower-numbered vertex).
  void set_vertex(topology::Vertex v, const simgrid::kernel::routing::NetPoint* point);
  void add_link(simgrid::s4u::SplitDuplexLink* link);

  // Computes the route between two devices now rather than on first use.
  void prepare_route(int from_rank, int to_rank);

  // The route between two device hosts of this zone in brief, from the cache (no simcall).
  struct RouteSummary {
    double latency_s = 0;
    double bottleneck_bytes_per_s = 0;  // the slowest link on the way; 0 for an empty route
  };
  RouteSummary summary(const simgrid::s4u::Host* from, const simgrid::s4u::Host* to);
  // The link directions of that route, in order, and their indices among every link direction
  // a route of this zone has used (0, 1, ... in order of first use): observers that count per
  // link index arrays with them rather than hash the links (from the cache; no simcall).
  struct RouteLinks {
    std::vector<const simgrid::s4u::Link*> links;
    std::vector<int> ids;
  };
  const RouteLinks& links(const simgrid::s4u::Host* from, const simgrid::s4u::Host* to);

  void get_local_route(const simgrid::kernel::routing::NetPoint* src,
                       const simgrid::kernel::routing::NetPoint* dst,
                       simgrid::kernel::routing::Route* into, double* latency) override;

 private:
  struct CachedRoute {
    std::vector<simgrid::kernel::resource::StandardLinkImpl*> links;
    RouteLinks s4u;  // the same links
    RouteSummary summary;
  };
  const CachedRoute& route(int from_rank, int to_rank);
  const CachedRoute& route(const simgrid::s4u::Host* from, const simgrid::s4u::Host* to);
  int rank_of(const simgrid::kernel::routing::NetPoint* point) const;

  topology::Topology topology_;
  topology::Router router_;
  std::vector<int> rank_of_point_;  // by NetPoint id: the device's rank, -1 for none
  std::unordered_map<const simgrid::s4u::Link*, int> link_ids_;
  // The zone's copy of the topology's links in order, and what was created for each.
  std::vector<const topology::LinkInfo*> link_order_;
  std::unordered_map<const topology::LinkInfo*, simgrid::s4u::SplitDuplexLink*> links_;
  std::unordered_map<uint64_t, CachedRoute> routes_;  // its nodes, and so references, stay put
  // By source rank, the first routes it asked for: a device talks to a few peers (its ring
  // neighbours, its pipeline neighbours), found by a short scan rather than a hash lookup.
  struct Peer {
    int to_rank;
    const CachedRoute* route;
  };
  static constexpr size_t kPeersScanned = 8;
  std::vector<std::vector<Peer>> peers_;
};

}  // namespace kcsim::event

#include "sim/engines/event/platform/topology_zone.hpp"

#include <algorithm>

#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/s4u/Host.hpp>

namespace kcsim::event {

TopologyZone::TopologyZone(const std::string& name, const topology::Topology& topology)
    : NetZoneImpl(name), topology_(topology), router_(topology_) {}

void TopologyZone::set_vertex(topology::Vertex v, const simgrid::kernel::routing::NetPoint* point) {
  const auto& info = topology_[v];
  if (info.kind == topology::VertexKind::Device) rank_of_point_[point->id()] = info.rank;
}

void TopologyZone::set_link(const std::string& name, simgrid::s4u::SplitDuplexLink* link) {
  links_[name] = link;
}

void TopologyZone::prepare_route(int from_rank, int to_rank) { route(from_rank, to_rank); }

const TopologyZone::CachedRoute& TopologyZone::route(int from_rank, int to_rank) {
  uint64_t key = (static_cast<uint64_t>(from_rank) << 32) | static_cast<uint32_t>(to_rank);
  auto it = routes_.find(key);
  if (it != routes_.end()) return it->second;
  const auto& graph = topology_.graph();
  auto path = router_.route(from_rank, to_rank);
  CachedRoute cached;
  for (size_t i = 0; i < path.links.size(); ++i) {
    auto e = path.links[i];
    bool up = path.vertices[i] == std::min(boost::source(e, graph), boost::target(e, graph));
    auto* duplex = links_.at(graph[e].name);
    auto* link = up ? duplex->get_link_up() : duplex->get_link_down();
    cached.links.push_back(link->get_impl());
    cached.s4u_links.push_back(link);
    cached.summary.latency_s += link->get_latency();
    double bandwidth = link->get_bandwidth();
    auto& bottleneck = cached.summary.bottleneck_bytes_per_s;
    bottleneck = i == 0 ? bandwidth : std::min(bottleneck, bandwidth);
  }
  return routes_.emplace(key, std::move(cached)).first->second;
}

void TopologyZone::get_local_route(const simgrid::kernel::routing::NetPoint* src,
                                   const simgrid::kernel::routing::NetPoint* dst,
                                   simgrid::kernel::routing::Route* into, double* latency) {
  const auto& r = route(rank_of_point_.at(src->id()), rank_of_point_.at(dst->id()));
  into->link_list_.insert(into->link_list_.end(), r.links.begin(), r.links.end());
  if (latency) *latency += r.summary.latency_s;
}

const TopologyZone::CachedRoute& TopologyZone::route(const simgrid::s4u::Host* from,
                                                     const simgrid::s4u::Host* to) {
  return route(rank_of_point_.at(from->get_netpoint()->id()),
               rank_of_point_.at(to->get_netpoint()->id()));
}

TopologyZone::RouteSummary TopologyZone::summary(const simgrid::s4u::Host* from,
                                                 const simgrid::s4u::Host* to) {
  if (from == to) return {};
  return route(from, to).summary;
}

const std::vector<const simgrid::s4u::Link*>& TopologyZone::links(const simgrid::s4u::Host* from,
                                                                  const simgrid::s4u::Host* to) {
  static const std::vector<const simgrid::s4u::Link*> none;
  return from == to ? none : route(from, to).s4u_links;
}

}  // namespace kcsim::event

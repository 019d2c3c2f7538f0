#include "sim/engines/event/platform/topology_zone.hpp"

#include <algorithm>
#include <stdexcept>

#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/s4u/Host.hpp>

namespace kcsim::event {

TopologyZone::TopologyZone(const std::string& name, const topology::Topology& topology)
    : NetZoneImpl(name), topology_(topology), router_(topology_) {
  for (auto e : topology_.links()) link_order_.push_back(&topology_.graph()[e]);
}

void TopologyZone::set_vertex(topology::Vertex v, const simgrid::kernel::routing::NetPoint* point) {
  const auto& info = topology_[v];
  if (info.kind != topology::VertexKind::Device) return;
  if (point->id() >= rank_of_point_.size()) rank_of_point_.resize(point->id() + 1, -1);
  rank_of_point_[point->id()] = info.rank;
}

int TopologyZone::rank_of(const simgrid::kernel::routing::NetPoint* point) const {
  auto id = point->id();
  if (id >= rank_of_point_.size() || rank_of_point_[id] < 0) {
    throw std::out_of_range("topology zone: a route asked for a host that is not a device");
  }
  return rank_of_point_[id];
}

void TopologyZone::add_link(simgrid::s4u::SplitDuplexLink* link) {
  const auto* info = link_order_.at(links_.size());
  if (info->name != link->get_name()) {
    throw std::logic_error("topology zone: link " + link->get_name() + " given for " + info->name);
  }
  links_.emplace(info, link);
}

void TopologyZone::prepare_route(int from_rank, int to_rank) { route(from_rank, to_rank); }

const TopologyZone::CachedRoute& TopologyZone::route(int from_rank, int to_rank) {
  auto from = static_cast<size_t>(from_rank);
  if (from >= peers_.size()) peers_.resize(from + 1);
  auto& peers = peers_[from];
  for (const auto& peer : peers) {
    if (peer.to_rank == to_rank) return *peer.route;
  }
  uint64_t key = (static_cast<uint64_t>(from_rank) << 32) | static_cast<uint32_t>(to_rank);
  auto it = routes_.find(key);
  if (it != routes_.end()) return it->second;
  const auto& graph = topology_.graph();
  auto path = router_.route(from_rank, to_rank);
  CachedRoute cached;
  for (size_t i = 0; i < path.links.size(); ++i) {
    auto e = path.links[i];
    bool up = path.vertices[i] == std::min(boost::source(e, graph), boost::target(e, graph));
    auto* duplex = links_.at(&graph[e]);
    auto* link = up ? duplex->get_link_up() : duplex->get_link_down();
    cached.links.push_back(link->get_impl());
    cached.s4u.links.push_back(link);
    cached.s4u.ids.push_back(
        link_ids_.try_emplace(link, static_cast<int>(link_ids_.size())).first->second);
    cached.summary.latency_s += link->get_latency();
    double bandwidth = link->get_bandwidth();
    auto& bottleneck = cached.summary.bottleneck_bytes_per_s;
    bottleneck = i == 0 ? bandwidth : std::min(bottleneck, bandwidth);
  }
  const CachedRoute& kept = routes_.emplace(key, std::move(cached)).first->second;
  if (peers.size() < kPeersScanned) peers.push_back({to_rank, &kept});
  return kept;
}

void TopologyZone::get_local_route(const simgrid::kernel::routing::NetPoint* src,
                                   const simgrid::kernel::routing::NetPoint* dst,
                                   simgrid::kernel::routing::Route* into, double* latency) {
  const auto& r = route(rank_of(src), rank_of(dst));
  into->link_list_.insert(into->link_list_.end(), r.links.begin(), r.links.end());
  if (latency) *latency += r.summary.latency_s;
}

const TopologyZone::CachedRoute& TopologyZone::route(const simgrid::s4u::Host* from,
                                                     const simgrid::s4u::Host* to) {
  return route(rank_of(from->get_netpoint()), rank_of(to->get_netpoint()));
}

TopologyZone::RouteSummary TopologyZone::summary(const simgrid::s4u::Host* from,
                                                 const simgrid::s4u::Host* to) {
  if (from == to) return {};
  return route(from, to).summary;
}

const TopologyZone::RouteLinks& TopologyZone::links(const simgrid::s4u::Host* from,
                                                    const simgrid::s4u::Host* to) {
  static const RouteLinks none;
  return from == to ? none : route(from, to).s4u;
}

}  // namespace kcsim::event

#include "sim/event/platform.hpp"

#include <simgrid/s4u/NetZone.hpp>

namespace kcsim::event {

namespace sg4 = simgrid::s4u;

Platform build_platform(sg4::Engine& engine, const topology::Topology& topology) {
  sg4::Engine::set_config(std::string("network/model:") + kNetworkModel);
  sg4::Engine::set_config("network/crosstraffic:0");

  auto* zone = sg4::create_dijkstra_zone(topology.name().empty() ? "cluster" : topology.name(),
                                         /*cache=*/true);
  const auto& graph = topology.graph();
  std::vector<simgrid::kernel::routing::NetPoint*> points(boost::num_vertices(graph), nullptr);
  Platform platform;
  platform.devices.resize(topology.device_count(), nullptr);
  for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
    const auto& info = graph[v];
    if (info.kind == topology::VertexKind::Device) {
      auto* host = zone->create_host(info.name, kHostFlopsPerS)->seal();
      platform.devices[info.rank] = host;
      points[v] = host->get_netpoint();
    } else {
      points[v] = zone->create_router(info.name);
    }
  }
  for (auto e : topology.links()) {
    const auto& info = graph[e];
    auto* link = zone->create_split_duplex_link(info.name, info.bandwidth_bytes_per_s)
                     ->set_latency(info.latency_s)
                     ->seal();
    platform.links.push_back(link);
    auto a = boost::source(e, graph), b = boost::target(e, graph);
    zone->add_route(points[a], points[b], nullptr, nullptr,
                    {sg4::LinkInRoute(link, sg4::LinkInRoute::Direction::UP)}, true);
  }
  zone->seal();
  (void)engine;
  return platform;
}

double route_latency_s(const sg4::Host* from, const sg4::Host* to) {
  std::vector<sg4::Link*> links;
  double latency = 0;
  from->route_to(to, links, &latency);
  return latency;
}

}  // namespace kcsim::event

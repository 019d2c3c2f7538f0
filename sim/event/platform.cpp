#include "sim/event/platform.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include <simgrid/s4u/NetZone.hpp>
#include <xbt/log.h>

#include "topology/routing.hpp"

namespace kcsim::event {

namespace sg4 = simgrid::s4u;

std::unique_ptr<sg4::Engine> start_engine() {
  int argc = 1;
  char name[] = "kcsim";
  char* argv[] = {name, nullptr};
  auto engine = std::make_unique<sg4::Engine>(&argc, argv);
  xbt_log_control_set("root.thresh:critical");
  sg4::Engine::set_config("contexts/guard-size:0");
  return engine;
}

Platform build_platform(sg4::Engine& engine, const topology::Topology& topology,
                        const std::vector<std::pair<int, int>>& pairs) {
  sg4::Engine::set_config(std::string("network/model:") + kNetworkModel);
  sg4::Engine::set_config("network/crosstraffic:0");

  auto* zone = sg4::create_full_zone(topology.name().empty() ? "cluster" : topology.name());
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
  std::unordered_map<std::string, sg4::Link*> by_name;
  for (auto e : topology.links()) {
    const auto& info = graph[e];
    auto* link = zone->create_split_duplex_link(info.name, info.bandwidth_bytes_per_s)
                     ->set_latency(info.latency_s)
                     ->seal();
    platform.links.push_back(link);
    by_name[info.name] = link;
  }

  // Each direction of a pair gets its own route: UP runs from the link's lower-numbered end.
  std::set<std::pair<int, int>> wanted;
  for (auto [a, b] : pairs) {
    if (a == b) continue;
    wanted.emplace(a, b);
    wanted.emplace(b, a);
  }
  topology::Router router(topology);
  for (auto [a, b] : wanted) {
    auto route = router.route(a, b);
    std::vector<sg4::LinkInRoute> links;
    for (size_t i = 0; i < route.links.size(); ++i) {
      auto e = route.links[i];
      bool forward = route.vertices[i] == std::min(boost::source(e, graph), boost::target(e, graph));
      links.emplace_back(by_name.at(graph[e].name), forward ? sg4::LinkInRoute::Direction::UP
                                                            : sg4::LinkInRoute::Direction::DOWN);
    }
    zone->add_route(points[route.vertices.front()], points[route.vertices.back()], nullptr,
                    nullptr, links, /*symmetrical=*/false);
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

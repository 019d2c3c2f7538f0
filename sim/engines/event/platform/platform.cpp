#include "sim/engines/event/platform/platform.hpp"

#include <malloc.h>

#include <fmt/format.h>
#include <xbt/log.h>
#include <simgrid/s4u/NetZone.hpp>

#include "sim/engines/event/platform/topology_zone.hpp"

namespace kcsim::event {

namespace sg4 = simgrid::s4u;

int actor_stack_kib() {
#if defined(__SANITIZE_ADDRESS__)
  return 4 * kActorStackKiB;  // AddressSanitizer's red zones widen every frame
#else
  return kActorStackKiB;
#endif
}

sg4::Engine& start_engine() {
  int argc = 1;
  char name[] = "kcsim";
  char* argv[] = {name, nullptr};
  auto* engine = new sg4::Engine(&argc, argv);
  xbt_log_control_set("root.thresh:critical");
  sg4::Engine::set_config("contexts/guard-size:0");
  sg4::Engine::set_config(fmt::format("contexts/stack-size:{}", actor_stack_kib()));
  // SimGrid allocates each stack zeroed. Mapped on its own, a stack costs only the pages the
  // actor touches; glibc would otherwise raise its mapping threshold after the first stack is
  // freed and zero every later one on the heap, page by page (gradient actors come and go).
  mallopt(M_MMAP_THRESHOLD, actor_stack_kib() * 1024);
  return *engine;
}

Platform build_platform(sg4::Engine& engine, const topology::Topology& topology,
                        const std::vector<std::pair<int, int>>& pairs) {
  sg4::Engine::set_config(std::string("network/model:") + kNetworkModel);
  sg4::Engine::set_config("network/crosstraffic:0");

  // SimGrid takes ownership of the zone (the engine frees its root zone).
  auto* impl = new TopologyZone(topology.name().empty() ? "cluster" : topology.name(), topology);
  auto* zone = impl->get_iface();
  const auto& graph = topology.graph();
  Platform platform;
  platform.devices.resize(topology.device_count(), nullptr);
  for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
    const auto& info = graph[v];
    if (info.kind == topology::VertexKind::Device) {
      auto* host = zone->create_host(info.name, kHostFlopsPerS)->seal();
      platform.devices[info.rank] = host;
      impl->set_vertex(v, host->get_netpoint());
    } else {
      impl->set_vertex(v, zone->create_router(info.name));
    }
  }
  for (auto e : topology.links()) {
    const auto& info = graph[e];
    auto* link = zone->create_split_duplex_link(info.name, info.bandwidth_bytes_per_s);
    link->set_latency(info.latency_s)->seal();
    platform.links.push_back(link);
    impl->add_link(link);
  }
  zone->seal();
  for (auto [a, b] : pairs) {
    if (a == b) continue;
    impl->prepare_route(a, b);
    impl->prepare_route(b, a);
  }
  (void)engine;
  return platform;
}

namespace {

// Every device sits in the platform's one zone, which caches every route it computed.
TopologyZone& zone_of(const sg4::Host* device) {
  return *static_cast<TopologyZone*>(device->get_englobing_zone()->get_impl());
}

}  // namespace

TopologyZone::RouteSummary route_summary(const sg4::Host* from, const sg4::Host* to) {
  return zone_of(from).summary(from, to);
}

double route_latency_s(const sg4::Host* from, const sg4::Host* to) {
  return route_summary(from, to).latency_s;
}

const TopologyZone::RouteLinks& route_links(const sg4::Host* from, const sg4::Host* to) {
  return zone_of(from).links(from, to);
}

}  // namespace kcsim::event

#include "topology/routing.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace kcsim::topology {
namespace {

constexpr std::size_t kCachedDestinations = 256;

// splitmix64 finaliser: a fixed, platform-independent mix, so ECMP choices are reproducible.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t ecmp_hash(int source, int destination, std::uint64_t flow, Vertex at) {
  std::uint64_t h = mix(static_cast<std::uint64_t>(source));
  h = mix(h ^ static_cast<std::uint64_t>(destination));
  h = mix(h ^ flow);
  return mix(h ^ static_cast<std::uint64_t>(at));
}

}  // namespace

Router::Router(const Topology& topology) : topology_(topology), search_(topology) {}

const std::vector<int>& Router::hops_to(Vertex destination) {
  auto found = hops_toward_.find(destination);
  if (found != hops_toward_.end()) return found->second;
  if (hops_toward_.size() >= kCachedDestinations) hops_toward_.clear();
  return hops_toward_.emplace(destination, search_.run(destination)).first->second;
}

Route Router::route(int source_rank, int destination_rank, std::uint64_t flow_id) {
  const Graph& graph = topology_.graph();
  Vertex source = topology_.device(source_rank);
  Vertex destination = topology_.device(destination_rank);

  Route route;
  route.vertices.push_back(source);
  route.bottleneck_bandwidth_bytes_per_s = std::numeric_limits<double>::infinity();
  if (source == destination) return route;

  // Same server: try its own fabric first.
  const std::vector<int>* hops = nullptr;
  std::vector<int> server_hops;
  int node = graph[source].node;
  if (node == graph[destination].node) {
    server_hops = search_.run(destination, node);
    if (server_hops[source] != detail::kUnreached) hops = &server_hops;
  }
  if (hops == nullptr) hops = &hops_to(destination);
  if ((*hops)[source] == detail::kUnreached) {
    throw std::runtime_error(fmt::format("no route from {} to {} in topology {}", graph[source].name,
                                         graph[destination].name, topology_.name()));
  }

  std::vector<Edge> candidates;
  for (Vertex at = source; at != destination;) {
    candidates.clear();
    int next_hops = (*hops)[at] - 1;
    for (Edge e : boost::make_iterator_range(boost::out_edges(at, graph))) {
      Vertex next = boost::target(e, graph);
      if ((*hops)[next] == next_hops && (next == destination || graph[next].forwards)) candidates.push_back(e);
    }
    Edge chosen = candidates[ecmp_hash(source_rank, destination_rank, flow_id, at) % candidates.size()];
    const LinkInfo& link = graph[chosen];
    route.links.push_back(chosen);
    route.bottleneck_bandwidth_bytes_per_s = std::min(route.bottleneck_bandwidth_bytes_per_s, link.bandwidth_bytes_per_s);
    route.latency_s += link.latency_s;
    at = boost::target(chosen, graph);
    route.vertices.push_back(at);
  }
  return route;
}

Route shortest_route(const Topology& topology, int source_rank, int destination_rank, std::uint64_t flow_id) {
  return Router(topology).route(source_rank, destination_rank, flow_id);
}

}  // namespace kcsim::topology

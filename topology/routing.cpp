#include "topology/routing.hpp"

#include <algorithm>
#include <climits>
#include <limits>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace kcsim::topology {
namespace {

constexpr std::size_t kCachedSearches = 256;

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

Router::Hops::Hops(const std::vector<int>& hops, const std::vector<Vertex>& reached) {
  if (reached.size() * 8 < hops.size()) {
    for (Vertex v : reached) sparse_.emplace_back(v, hops[v]);
    std::sort(sparse_.begin(), sparse_.end());
  } else {
    dense_ = hops;
  }
}

int Router::Hops::operator[](Vertex v) const {
  if (!dense_.empty()) return dense_[v];
  auto at = std::lower_bound(sparse_.begin(), sparse_.end(), std::make_pair(v, INT_MIN));
  return at != sparse_.end() && at->first == v ? at->second : detail::kUnreached;
}

std::shared_ptr<const Router::Hops> Router::hops_from(Vertex start) {
  auto found = hops_from_.find(start);
  if (found != hops_from_.end()) return found->second;
  if (hops_from_.size() >= kCachedSearches) hops_from_.clear();
  const auto& searched = search_.run_forwarding(start);
  auto hops = std::make_shared<const Hops>(searched, search_.reached());
  hops_from_.emplace(start, hops);
  return hops;
}

namespace {

// Hop counts toward one device over the whole network, without a search of its own: a route's
// first hop from the device is one of its neighbours, and only a neighbour that forwards leads
// further, so a vertex is one hop farther than from the nearest such neighbour. Those
// neighbours' searches are few (a device's NIC and server switches) and shared by every device
// that hangs off them.
class HopsToward {
 public:
  HopsToward(const Graph& graph, Vertex destination,
             std::vector<std::shared_ptr<const Router::Hops>> via)
      : graph_(graph), destination_(destination), via_(std::move(via)) {}

  int operator()(Vertex v) const {
    if (v == destination_) return 0;
    int best = detail::kUnreached;
    if (!graph_[v].forwards) {
      // A route's source: next to the destination, or one hop beyond its nearest neighbour that
      // forwards (the searches hold only vertices that forward).
      if (boost::edge(v, destination_, graph_).second) return 1;
      for (Vertex u : boost::make_iterator_range(boost::adjacent_vertices(v, graph_))) {
        if (!graph_[u].forwards) continue;
        int h = (*this)(u);
        if (h != detail::kUnreached && (best == detail::kUnreached || h + 1 < best)) best = h + 1;
      }
      return best;
    }
    for (const auto& hops : via_) {
      int h = (*hops)[v];
      if (h != detail::kUnreached && (best == detail::kUnreached || h + 1 < best)) best = h + 1;
    }
    return best;
  }

 private:
  const Graph& graph_;
  Vertex destination_;
  std::vector<std::shared_ptr<const Router::Hops>> via_;
};

template <class Hops>
Route walk(const Graph& graph, const Hops& hops, Vertex source, Vertex destination,
           int source_rank, int destination_rank, std::uint64_t flow_id, Route route) {
  std::vector<Edge> candidates;
  for (Vertex at = source; at != destination;) {
    candidates.clear();
    int next_hops = hops(at) - 1;
    for (Edge e : boost::make_iterator_range(boost::out_edges(at, graph))) {
      Vertex next = boost::target(e, graph);
      if ((next == destination || graph[next].forwards) && hops(next) == next_hops) {
        candidates.push_back(e);
      }
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

}  // namespace

Route Router::route(int source_rank, int destination_rank, std::uint64_t flow_id) {
  const Graph& graph = topology_.graph();
  Vertex source = topology_.device(source_rank);
  Vertex destination = topology_.device(destination_rank);

  Route route;
  route.vertices.push_back(source);
  route.bottleneck_bandwidth_bytes_per_s = std::numeric_limits<double>::infinity();
  if (source == destination) return route;

  // Same server: try its own fabric first.
  int node = graph[source].node;
  if (node == graph[destination].node) {
    const std::vector<int>& server_hops = search_.run(destination, node);
    if (server_hops[source] != detail::kUnreached) {
      // The walk runs no search, so the search's counts stay valid throughout it.
      return walk(graph, [&server_hops](Vertex v) { return server_hops[v]; }, source, destination,
                  source_rank, destination_rank, flow_id, std::move(route));
    }
  }
  std::vector<std::shared_ptr<const Hops>> via;
  for (Vertex next : boost::make_iterator_range(boost::adjacent_vertices(destination, graph))) {
    if (graph[next].forwards) via.push_back(hops_from(next));
  }
  HopsToward hops(graph, destination, std::move(via));
  if (hops(source) == detail::kUnreached) {
    throw std::runtime_error(fmt::format("no route from {} to {} in topology {}", graph[source].name,
                                         graph[destination].name, topology_.name()));
  }
  return walk(graph, hops, source, destination, source_rank, destination_rank, flow_id,
              std::move(route));
}

Route shortest_route(const Topology& topology, int source_rank, int destination_rank, std::uint64_t flow_id) {
  return Router(topology).route(source_rank, destination_rank, flow_id);
}

}  // namespace kcsim::topology

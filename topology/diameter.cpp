// Diameter in hops between devices.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "topology/hop_search.hpp"
#include "topology/metrics.hpp"

namespace kcsim::topology {
namespace {

struct Adjacency {
  std::vector<std::size_t> offsets;  // neighbours of v: targets[offsets[v] .. offsets[v + 1])
  std::vector<Vertex> targets;
};

Adjacency compress(const Graph& graph) {
  Adjacency adjacency;
  adjacency.offsets.reserve(boost::num_vertices(graph) + 1);
  adjacency.offsets.push_back(0);
  for (Vertex v : boost::make_iterator_range(boost::vertices(graph))) {
    for (Vertex n : boost::make_iterator_range(boost::adjacent_vertices(v, graph))) adjacency.targets.push_back(n);
    adjacency.offsets.push_back(adjacency.targets.size());
  }
  return adjacency;
}

// Devices with the same neighbours are equally far from every other device, so one of them
// stands for all; their distance to each other is seen from the one that stands for them.
std::vector<Vertex> twin_representatives(const Topology& topology) {
  const Graph& graph = topology.graph();
  std::map<std::vector<Vertex>, Vertex> representative_of;
  std::vector<Vertex> representatives;
  for (Vertex device : topology.devices()) {
    std::vector<Vertex> neighbours;
    for (Vertex n : boost::make_iterator_range(boost::adjacent_vertices(device, graph))) neighbours.push_back(n);
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
    if (representative_of.emplace(std::move(neighbours), device).second) representatives.push_back(device);
  }
  return representatives;
}

[[noreturn]] void throw_disconnected(const Topology& topology, Vertex from, Vertex to) {
  throw std::runtime_error(fmt::format("topology {} is not connected: {} cannot reach {}", topology.name(),
                                       topology[from].name, topology[to].name));
}

// Longest hop count from up to 64 sources to any device, all searched at once: bit i of a
// vertex's mask says that source i has reached it.
int longest_device_hops(const Topology& topology, const Adjacency& adjacency, std::span<const Vertex> sources) {
  const Graph& graph = topology.graph();
  std::size_t vertex_count = topology.vertex_count();
  std::vector<std::uint64_t> seen(vertex_count, 0), frontier(vertex_count, 0), next(vertex_count, 0);
  std::vector<std::uint64_t> own(vertex_count, 0);  // a non-forwarding source passes on only its own bit
  std::uint64_t all_sources = 0;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    std::uint64_t bit = std::uint64_t{1} << i;
    own[sources[i]] |= bit;
    seen[sources[i]] |= bit;
    frontier[sources[i]] |= bit;
    all_sources |= bit;
  }

  int longest = 0;
  for (int level = 1;; ++level) {
    for (Vertex v = 0; v < vertex_count; ++v) {
      std::uint64_t passing = graph[v].forwards ? frontier[v] : frontier[v] & own[v];
      if (passing == 0) continue;
      for (std::size_t i = adjacency.offsets[v]; i < adjacency.offsets[v + 1]; ++i) next[adjacency.targets[i]] |= passing;
    }
    bool any = false;
    for (Vertex v = 0; v < vertex_count; ++v) {
      std::uint64_t fresh = next[v] & ~seen[v];
      next[v] = 0;
      frontier[v] = fresh;
      if (fresh == 0) continue;
      seen[v] |= fresh;
      any = true;
      if (graph[v].kind == VertexKind::Device) longest = level;
    }
    if (!any) break;
  }

  for (Vertex device : topology.devices()) {
    std::uint64_t missing = all_sources & ~seen[device];
    if (missing != 0) throw_disconnected(topology, sources[static_cast<std::size_t>(std::countr_zero(missing))], device);
  }
  return longest;
}

// Longest route between two devices of one server over the server's own fabric.
int longest_server_hops(const Topology& topology) {
  std::map<int, std::vector<Vertex>> devices_by_node;
  for (Vertex device : topology.devices()) devices_by_node[topology[device].node].push_back(device);
  detail::HopSearch search(topology);
  int longest = 0;
  for (const auto& [node, devices] : devices_by_node) {
    if (devices.size() < 2) continue;
    for (Vertex device : devices) {
      const std::vector<int>& hops = search.run(device, node);
      for (Vertex mate : devices) longest = std::max(longest, hops[mate]);
    }
  }
  return longest;
}

}  // namespace

int device_diameter_hops(const Topology& topology) {
  if (topology.device_count() < 2) return 0;
  Adjacency adjacency = compress(topology.graph());
  std::vector<Vertex> sources = twin_representatives(topology);
  int longest = 0;
  for (std::size_t first = 0; first < sources.size(); first += 64) {
    std::size_t count = std::min<std::size_t>(64, sources.size() - first);
    longest = std::max(longest, longest_device_hops(topology, adjacency, std::span(sources).subspan(first, count)));
  }
  // Pairs inside a server take its own fabric (see Router), which may be longer than the network.
  return std::max(longest, longest_server_hops(topology));
}

}  // namespace kcsim::topology

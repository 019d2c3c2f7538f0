#include "topology/hop_search.hpp"

namespace kcsim::topology::detail {

HopSearch::HopSearch(const Topology& topology)
    : topology_(topology), hops_(topology.vertex_count(), kUnreached) {
  forwards_.reserve(topology.vertex_count());
  for (Vertex v = 0; v < topology.vertex_count(); ++v) forwards_.push_back(topology[v].forwards);
}

void HopSearch::restart(Vertex start) {
  for (Vertex v : reached_) hops_[v] = kUnreached;
  reached_.clear();
  hops_[start] = 0;
  reached_.push_back(start);
}

const std::vector<int>& HopSearch::run(Vertex start, std::optional<int> within_node) {
  restart(start);
  const Graph& graph = topology_.graph();
  for (std::size_t head = 0; head < reached_.size(); ++head) {
    Vertex v = reached_[head];
    if (v != start && !forwards_[v]) continue;
    for (Vertex next : boost::make_iterator_range(boost::adjacent_vertices(v, graph))) {
      if (hops_[next] != kUnreached) continue;
      if (within_node && graph[next].node != *within_node) continue;
      hops_[next] = hops_[v] + 1;
      reached_.push_back(next);
    }
  }
  return hops_;
}

const std::vector<int>& HopSearch::run_forwarding(Vertex start) {
  restart(start);
  const Graph& graph = topology_.graph();
  for (std::size_t head = 0; head < reached_.size(); ++head) {
    Vertex v = reached_[head];
    for (Vertex next : boost::make_iterator_range(boost::adjacent_vertices(v, graph))) {
      if (hops_[next] != kUnreached || !forwards_[next]) continue;
      hops_[next] = hops_[v] + 1;
      reached_.push_back(next);
    }
  }
  return hops_;
}

}  // namespace kcsim::topology::detail

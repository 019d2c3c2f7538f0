#include "topology/graph.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace kcsim::topology {

// Added bare, then filled: add_vertex(property, graph) draws a false -Wuninitialized from GCC 12
// inside Boost's named_graph under -fsanitize.
Vertex Topology::new_vertex(VertexInfo info) {
  Vertex v = boost::add_vertex(graph_);
  graph_[v] = std::move(info);
  return v;
}

Vertex Topology::add_device(std::string name, int node, bool forwards) {
  VertexInfo info;
  info.kind = VertexKind::Device;
  info.name = std::move(name);
  info.rank = static_cast<int>(devices_.size());
  info.node = node;
  info.forwards = forwards;
  Vertex v = new_vertex(std::move(info));
  devices_.push_back(v);
  return v;
}

Vertex Topology::add_switch(std::string name, int tier, int node) {
  VertexInfo info;
  info.kind = VertexKind::Switch;
  info.name = std::move(name);
  info.node = node;
  info.tier = tier;
  info.forwards = true;
  Vertex v = new_vertex(std::move(info));
  switches_.push_back(v);
  return v;
}

Edge Topology::add_link(Vertex a, Vertex b, LinkInfo link) {
  if (a == b) throw std::invalid_argument(fmt::format("link from {} to itself", graph_[a].name));
  // Links already between the two, counted from the end with fewer (a spine has thousands).
  Vertex from = boost::out_degree(a, graph_) <= boost::out_degree(b, graph_) ? a : b;
  Vertex to = from == a ? b : a;
  int parallel = 0;
  for (auto e : boost::make_iterator_range(boost::out_edges(from, graph_))) {
    if (boost::target(e, graph_) == to) ++parallel;
  }
  link.name = fmt::format("{}<->{}", graph_[a].name, graph_[b].name);
  if (parallel > 0) link.name += fmt::format("#{}", parallel + 1);
  return boost::add_edge(a, b, std::move(link), graph_).first;
}

Vertex Topology::device(int rank) const {
  if (rank < 0 || static_cast<std::size_t>(rank) >= devices_.size()) {
    throw std::out_of_range(
        fmt::format("device rank {} out of range: topology has {} devices", rank, devices_.size()));
  }
  return devices_[static_cast<std::size_t>(rank)];
}

}  // namespace kcsim::topology

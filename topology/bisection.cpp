// Bisection bandwidth as a maximum flow between the two halves of the devices.
#include <cmath>
#include <cstdint>

#include <boost/graph/push_relabel_max_flow.hpp>

#include "topology/metrics.hpp"

namespace kcsim::topology {
namespace {

using Capacity = std::int64_t;  // bytes/s, whole numbers keep the flow arithmetic exact
using FlowTraits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, Capacity,
                    boost::property<boost::edge_residual_capacity_t, Capacity,
                                    boost::property<boost::edge_reverse_t, FlowTraits::edge_descriptor>>>>;
using FlowVertex = FlowGraph::vertex_descriptor;

class FlowNetwork {
 public:
  explicit FlowNetwork(std::size_t vertices) : graph_(vertices) {}

  // An arc with capacity and its zero-capacity reverse, as push_relabel_max_flow expects.
  void add_arc(FlowVertex from, FlowVertex to, Capacity capacity) {
    auto capacities = boost::get(boost::edge_capacity, graph_);
    auto reverses = boost::get(boost::edge_reverse, graph_);
    auto forward = boost::add_edge(from, to, graph_).first;
    auto backward = boost::add_edge(to, from, graph_).first;
    capacities[forward] = capacity;
    capacities[backward] = 0;
    reverses[forward] = backward;
    reverses[backward] = forward;
  }

  Capacity max_flow(FlowVertex source, FlowVertex sink) { return boost::push_relabel_max_flow(graph_, source, sink); }

 private:
  FlowGraph graph_;
};

}  // namespace

double bisection_bandwidth_bytes_per_s(const Topology& topology) {
  std::size_t devices = topology.device_count();
  if (devices < 2) return 0;
  const Graph& graph = topology.graph();
  std::size_t vertex_count = topology.vertex_count();
  FlowVertex source = vertex_count;
  FlowVertex sink = vertex_count + 1;
  FlowNetwork network(vertex_count + 2);

  // A full-duplex link carries its bandwidth each way: one arc per direction.
  Capacity total = 0;
  for (Edge e : topology.links()) {
    auto capacity = static_cast<Capacity>(std::llround(graph[e].bandwidth_bytes_per_s));
    network.add_arc(boost::source(e, graph), boost::target(e, graph), capacity);
    network.add_arc(boost::target(e, graph), boost::source(e, graph), capacity);
    total += capacity;
  }
  Capacity unlimited = total + 1;
  for (std::size_t rank = 0; rank < devices; ++rank) {
    Vertex device = topology.devices()[rank];
    if (rank < devices / 2) {
      network.add_arc(source, device, unlimited);
    } else {
      network.add_arc(device, sink, unlimited);
    }
  }
  return static_cast<double>(network.max_flow(source, sink));
}

}  // namespace kcsim::topology

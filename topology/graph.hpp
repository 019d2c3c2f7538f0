// A datacenter network as a graph: devices and switches joined by full-duplex links.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/range/iterator_range.hpp>

namespace kcsim::topology {

enum class VertexKind { Device, Switch };

// Switch tiers: 0 = inside a server (NVSwitch, PCIe switch, root complex), 1 = leaf (or router),
// 2 = spine (or pod aggregation), 3 = core.
inline constexpr int kServerTier = 0;
inline constexpr int kLeafTier = 1;
inline constexpr int kSpineTier = 2;
inline constexpr int kCoreTier = 3;

struct VertexInfo {
  VertexKind kind = VertexKind::Device;
  std::string name;  // unique within a topology
  int rank = -1;     // devices: global rank 0..N-1
  // Devices: their server. Switches inside a server: that server. Network switches: -1.
  int node = -1;
  int tier = -1;  // switches only
  // Whether routes may pass through this vertex: always for switches; for devices only when they
  // carry router links (torus chips), never for devices hanging off switches.
  bool forwards = false;
};

struct LinkInfo {
  std::string name;        // unique within a topology: "a<->b"
  std::string technology;  // NVLink4, PCIe Gen5 x16, 400G NIC, ...
  double bandwidth_bytes_per_s = 0;  // per direction
  double latency_s = 0;
  double idle_power_w = 0;    // link up, no traffic (estimate: see link_power.hpp)
  double active_power_w = 0;  // full rate both directions (estimate: see link_power.hpp)
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, VertexInfo, LinkInfo>;
using Vertex = Graph::vertex_descriptor;
using Edge = Graph::edge_descriptor;

class Topology {
 public:
  explicit Topology(std::string name = {}) : name_(std::move(name)) {}

  // The next device gets the next rank.
  Vertex add_device(std::string name, int node, bool forwards = false);
  Vertex add_switch(std::string name, int tier, int node = -1);
  // Names the link "a<->b" (with "#2", "#3", ... for parallel links) and keeps the rest of `link`.
  Edge add_link(Vertex a, Vertex b, LinkInfo link);

  const std::string& name() const { return name_; }
  const Graph& graph() const { return graph_; }
  const VertexInfo& operator[](Vertex v) const { return graph_[v]; }
  const LinkInfo& operator[](Edge e) const { return graph_[e]; }

  const std::vector<Vertex>& devices() const { return devices_; }  // indexed by rank
  const std::vector<Vertex>& switches() const { return switches_; }
  auto links() const { return boost::make_iterator_range(boost::edges(graph_)); }
  Vertex device(int rank) const;  // throws std::out_of_range

  std::size_t device_count() const { return devices_.size(); }
  std::size_t switch_count() const { return switches_.size(); }
  std::size_t link_count() const { return boost::num_edges(graph_); }
  std::size_t vertex_count() const { return boost::num_vertices(graph_); }

 private:
  Vertex new_vertex(VertexInfo info);

  std::string name_;
  Graph graph_;
  std::vector<Vertex> devices_;
  std::vector<Vertex> switches_;
};

}  // namespace kcsim::topology

// Routes: fewest hops, the fabric a server's traffic stays on, ECMP choices.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <cmath>
#include <set>

#include "tests/topology/cluster_fixtures.hpp"
#include "topology/builders.hpp"
#include "topology/cluster_topology.hpp"
#include "topology/routing.hpp"

using namespace kcsim::topology;
using namespace kcsim::topology::testing;
using Catch::Matchers::WithinRel;

namespace {

constexpr double kNic = 50e9;

std::set<std::string> switch_names(const Topology& topology, const Route& route) {
  std::set<std::string> names;
  for (Vertex v : route.vertices) {
    if (topology[v].kind == VertexKind::Switch) names.insert(topology[v].name);
  }
  return names;
}

Vertex switch_at_tier(const Topology& topology, const Route& route, int tier) {
  for (Vertex v : route.vertices) {
    if (topology[v].kind == VertexKind::Switch && topology[v].tier == tier) return v;
  }
  FAIL("route has no switch at tier " << tier);
  return 0;
}

}  // namespace

TEST_CASE("PCIe node: cards on different switches talk through the root complex", "[topology]") {
  Topology node = pcie_node(8, 4, 64e9, 0.25e-6);
  Route across = shortest_route(node, 0, 5);
  CHECK(across.hops() == 4);
  CHECK(switch_names(node, across) == std::set<std::string>{"node0.pcie0", "node0.root", "node0.pcie1"});
  CHECK(across.bottleneck_bandwidth_bytes_per_s == 64e9);
  CHECK_THAT(across.latency_s, WithinRel(1e-6, 1e-12));

  Route same_switch = shortest_route(node, 0, 3);
  CHECK(same_switch.hops() == 2);
  CHECK(switch_names(node, same_switch) == std::set<std::string>{"node0.pcie0"});
}

TEST_CASE("a route starts and ends at its devices and follows its links", "[topology]") {
  Topology tree = fat_tree(k_ary_fat_tree(8, 3, kNic, 1e-7));
  Route route = shortest_route(tree, 0, 127, 3);
  REQUIRE(route.vertices.size() == route.links.size() + 1);
  CHECK(route.vertices.front() == tree.device(0));
  CHECK(route.vertices.back() == tree.device(127));
  const Graph& graph = tree.graph();
  for (std::size_t i = 0; i < route.links.size(); ++i) {
    Vertex a = boost::source(route.links[i], graph), b = boost::target(route.links[i], graph);
    CHECK(((a == route.vertices[i] && b == route.vertices[i + 1]) || (b == route.vertices[i] && a == route.vertices[i + 1])));
  }
  CHECK(route.hops() == 6);  // leaf, aggregation, core, aggregation, leaf
  CHECK_THAT(route.latency_s, WithinRel(6e-7, 1e-12));

  Route to_self = shortest_route(tree, 4, 4);
  CHECK(to_self.hops() == 0);
  CHECK(std::isinf(to_self.bottleneck_bandwidth_bytes_per_s));
}

TEST_CASE("oversubscribed uplinks are the bottleneck", "[topology]") {
  FatTreeSpec spec = k_ary_fat_tree(4, 2, kNic, 0);
  spec.oversubscription = 4;  // 2 downlinks -> 1 uplink at half the NIC rate
  Topology tree = fat_tree(spec);
  CHECK(shortest_route(tree, 0, 7).bottleneck_bandwidth_bytes_per_s == kNic / 2);
  CHECK(shortest_route(tree, 0, 1).bottleneck_bandwidth_bytes_per_s == kNic);
}

TEST_CASE("rail-optimized cluster: same rail through one leaf, other rails through a spine", "[topology]") {
  Topology cluster = build_cluster_topology(dgx_like(4, "rail-optimized"), nvlink_chip());
  // node0.dev3 (rank 3) to node2.dev3 (rank 19): rail 3's leaf only.
  Route same_rail = shortest_route(cluster, 3, 19);
  CHECK(same_rail.hops() == 2);
  CHECK(switch_names(cluster, same_rail) == std::set<std::string>{"rail3.leaf0"});
  CHECK(same_rail.bottleneck_bandwidth_bytes_per_s == kNic);

  // node0.dev3 to node2.dev5: leaf, spine, leaf.
  Route cross_rail = shortest_route(cluster, 3, 21);
  CHECK(cross_rail.hops() == 4);
  CHECK(cluster[switch_at_tier(cluster, cross_rail, kSpineTier)].name.starts_with("spine"));
  // The network's latency_ns (default 2,000 ns) is device to device across the longest path.
  CHECK_THAT(cross_rail.latency_s, WithinRel(2e-6, 1e-9));

  // Inside a server, traffic stays on NVLink even though the rail network is as short.
  Route inside = shortest_route(cluster, 0, 5);
  CHECK(inside.hops() == 2);
  CHECK(switch_names(cluster, inside) == std::set<std::string>{"node0.nvswitch"});
  CHECK(inside.bottleneck_bandwidth_bytes_per_s == 450e9);
}

TEST_CASE("a fat-tree cluster keeps server traffic off the shared leaf", "[topology]") {
  Topology cluster = build_cluster_topology(pcie_server(2), pcie_chip());
  // Cards 0 and 5 of a PCIe server: 4 hops over the root complex, not 2 over the NIC leaf.
  Route inside = shortest_route(cluster, 0, 5);
  CHECK(inside.hops() == 4);
  CHECK(switch_names(cluster, inside).contains("node0.root"));
  Route between = shortest_route(cluster, 0, 13);
  CHECK(between.hops() == 2);
  CHECK(switch_names(cluster, between) == std::set<std::string>{"leaf0"});
}

TEST_CASE("ECMP: a flow always takes the same path", "[topology]") {
  Topology tree = fat_tree(k_ary_fat_tree(8, 3, kNic, 0));
  Router router(tree);
  for (std::uint64_t flow = 0; flow < 16; ++flow) {
    Route first = router.route(0, 100, flow);
    CHECK(router.route(0, 100, flow).vertices == first.vertices);
    CHECK(shortest_route(tree, 0, 100, flow).vertices == first.vertices);  // a fresh router agrees
  }
}

TEST_CASE("ECMP: different flows spread over the spines and cores", "[topology]") {
  Topology two_tier = fat_tree(k_ary_fat_tree(8, 2, kNic, 0));
  Router router(two_tier);
  std::set<Vertex> spines;
  for (std::uint64_t flow = 0; flow < 64; ++flow) {
    spines.insert(switch_at_tier(two_tier, router.route(0, 31, flow), kSpineTier));
  }
  CHECK(spines.size() == 4);  // every spine of the k = 8 tree carries some flow

  Topology three_tier = fat_tree(k_ary_fat_tree(8, 3, kNic, 0));
  Router core_router(three_tier);
  std::set<Vertex> cores;
  for (std::uint64_t flow = 0; flow < 256; ++flow) {
    cores.insert(switch_at_tier(three_tier, core_router.route(0, 127, flow), kCoreTier));
  }
  CHECK(cores.size() == 16);

  // Different source/destination pairs spread too, with one flow each.
  std::set<Vertex> pair_spines;
  for (int dst = 4; dst < 32; ++dst) pair_spines.insert(switch_at_tier(two_tier, router.route(0, dst), kSpineTier));
  CHECK(pair_spines.size() > 1);
}

TEST_CASE("torus routes hop through the chips", "[topology]") {
  Topology square = torus({4, 4}, 100e9, 1e-7);
  Route corner = shortest_route(square, 0, 10);  // (0,0) -> (2,2)
  CHECK(corner.hops() == 4);
  Route wrap = shortest_route(square, 0, 3);  // (0,0) -> (3,0) over the wraparound link
  CHECK(wrap.hops() == 1);
}

TEST_CASE("routes to unknown ranks or unreachable devices throw", "[topology]") {
  Topology tree = fat_tree(k_ary_fat_tree(4, 2, kNic, 0));
  CHECK_THROWS_AS(shortest_route(tree, 0, 8), std::out_of_range);

  Topology islands("islands");
  islands.add_device("a", 0);
  islands.add_device("b", 1);
  CHECK_THROWS_AS(shortest_route(islands, 0, 1), std::runtime_error);
}

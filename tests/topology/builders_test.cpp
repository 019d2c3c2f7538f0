// Vertex and link counts of each builder against closed forms.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <map>
#include <set>

#include "topology/builders.hpp"

using namespace kcsim::topology;
using Catch::Matchers::WithinRel;

namespace {

constexpr double kNic = 50e9;  // 400 Gb/s

std::map<int, int> switches_per_tier(const Topology& topology) {
  std::map<int, int> count;
  for (Vertex s : topology.switches()) ++count[topology[s].tier];
  return count;
}

int links_between_tiers(const Topology& topology, int tier_a, int tier_b) {
  int count = 0;
  const Graph& graph = topology.graph();
  for (Edge e : topology.links()) {
    int a = graph[boost::source(e, graph)].tier;
    int b = graph[boost::target(e, graph)].tier;
    if ((a == tier_a && b == tier_b) || (a == tier_b && b == tier_a)) ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("nvswitch node: every device on one switch", "[topology]") {
  Topology node = nvswitch_node(8, 450e9, 0.5e-6);
  CHECK(node.device_count() == 8);
  CHECK(node.switch_count() == 1);
  CHECK(node.link_count() == 8);
  for (Edge e : node.links()) CHECK(node[e].bandwidth_bytes_per_s == 450e9);
  for (int rank = 0; rank < 8; ++rank) CHECK(node[node.device(rank)].rank == rank);
}

TEST_CASE("pcie node: switches of four cards under a root complex", "[topology]") {
  Topology eight = pcie_node(8, 4, 64e9, 0.25e-6);
  CHECK(eight.device_count() == 8);
  CHECK(eight.switch_count() == 3);  // two PCIe switches + root
  CHECK(eight.link_count() == 10);   // 8 cards + 2 uplinks

  Topology six = pcie_node(6, 4, 64e9, 0.25e-6);  // a half-full second switch
  CHECK(six.switch_count() == 3);
  CHECK(six.link_count() == 8);
}

TEST_CASE("two-tier k-ary fat-tree: k^2/2 devices, 3k/2 switches, k^2 links", "[topology]") {
  for (int k : {4, 8, 16}) {
    Topology tree = fat_tree(k_ary_fat_tree(k, 2, kNic, 0));
    CHECK(tree.device_count() == static_cast<std::size_t>(k * k / 2));
    CHECK(tree.switch_count() == static_cast<std::size_t>(3 * k / 2));
    CHECK(tree.link_count() == static_cast<std::size_t>(k * k));
    auto tiers = switches_per_tier(tree);
    CHECK(tiers[kLeafTier] == k);
    CHECK(tiers[kSpineTier] == k / 2);
    // k-port switches: no switch has more than k links.
    for (Vertex s : tree.switches()) CHECK(boost::degree(s, tree.graph()) <= static_cast<std::size_t>(k));
  }
}

TEST_CASE("three-tier k-ary fat-tree: k^3/4 devices, 5k^2/4 switches, 3k^3/4 links", "[topology]") {
  for (int k : {4, 8}) {
    Topology tree = fat_tree(k_ary_fat_tree(k, 3, kNic, 0));
    CHECK(tree.device_count() == static_cast<std::size_t>(k * k * k / 4));
    CHECK(tree.switch_count() == static_cast<std::size_t>(5 * k * k / 4));
    CHECK(tree.link_count() == static_cast<std::size_t>(3 * k * k * k / 4));
    auto tiers = switches_per_tier(tree);
    CHECK(tiers[kLeafTier] == k * k / 2);
    CHECK(tiers[kSpineTier] == k * k / 2);
    CHECK(tiers[kCoreTier] == k * k / 4);
    for (Vertex s : tree.switches()) CHECK(boost::degree(s, tree.graph()) == static_cast<std::size_t>(k));
  }
}

TEST_CASE("fat-tree oversubscription divides each leaf's uplink bandwidth", "[topology]") {
  FatTreeSpec spec = k_ary_fat_tree(8, 2, kNic, 0);
  spec.oversubscription = 2;
  Topology tree = fat_tree(spec);
  CHECK(switches_per_tier(tree)[kSpineTier] == 2);  // 4 downlinks / 2 = 2 uplinks per leaf
  CHECK(links_between_tiers(tree, kLeafTier, kSpineTier) == 8 * 2);

  spec.oversubscription = 3;  // 4 / 3 rounds to one uplink carrying 4/3 of a NIC
  Topology uneven = fat_tree(spec);
  CHECK(switches_per_tier(uneven)[kSpineTier] == 1);
  const Graph& graph = uneven.graph();
  for (Edge e : uneven.links()) {
    bool uplink = graph[boost::source(e, graph)].kind == VertexKind::Switch &&
                  graph[boost::target(e, graph)].kind == VertexKind::Switch;
    if (uplink) CHECK_THAT(uneven[e].bandwidth_bytes_per_s, WithinRel(4 * kNic / 3, 1e-12));
  }
}

TEST_CASE("fat-tree with a partly filled last leaf, and one leaf without spines", "[topology]") {
  Topology tree = fat_tree({.devices = 20, .tiers = 2, .devices_per_leaf = 8, .nic_bandwidth_bytes_per_s = kNic});
  CHECK(tree.switch_count() == 3 + 8);
  CHECK(tree.link_count() == 20 + 3 * 8);

  Topology single = fat_tree({.devices = 8, .tiers = 2, .devices_per_leaf = 8, .nic_bandwidth_bytes_per_s = kNic});
  CHECK(single.switch_count() == 1);
  CHECK(single.link_count() == 8);
}

TEST_CASE("rail-optimized: one leaf per rail per scalable unit, spines over all leaves", "[topology]") {
  Topology rails = rail_optimized({.nodes = 4, .devices_per_node = 8, .nic_bandwidth_bytes_per_s = kNic});
  CHECK(rails.device_count() == 32);
  CHECK(switches_per_tier(rails)[kLeafTier] == 8);
  CHECK(switches_per_tier(rails)[kSpineTier] == 4);  // 4 downlinks per leaf, non-blocking
  CHECK(rails.link_count() == 32 + 8 * 4);
  // Device r of every node sits on rail r's leaf.
  const Graph& graph = rails.graph();
  for (int rank = 0; rank < 32; ++rank) {
    auto neighbours = boost::adjacent_vertices(rails.device(rank), graph);
    REQUIRE(std::distance(neighbours.first, neighbours.second) == 1);
    CHECK(graph[*neighbours.first].name == "rail" + std::to_string(rank % 8) + ".leaf0");
  }

  Topology units = rail_optimized({.nodes = 4, .devices_per_node = 8, .nodes_per_leaf = 2, .nic_bandwidth_bytes_per_s = kNic});
  CHECK(switches_per_tier(units)[kLeafTier] == 16);
  CHECK(switches_per_tier(units)[kSpineTier] == 2);
  CHECK(units.link_count() == 32 + 16 * 2);
}

TEST_CASE("torus: wraparound neighbours, one link per ring of two", "[topology]") {
  Topology square = torus({4, 4}, 100e9, 0);
  CHECK(square.device_count() == 16);
  CHECK(square.switch_count() == 0);
  CHECK(square.link_count() == 32);
  for (Vertex v : square.devices()) CHECK(boost::degree(v, square.graph()) == 4);

  Topology cube = torus({4, 4, 4}, 100e9, 0);
  CHECK(cube.link_count() == 3 * 64);
  for (Vertex v : cube.devices()) CHECK(boost::degree(v, cube.graph()) == 6);

  Topology thin = torus({2, 3}, 100e9, 0);
  CHECK(thin.link_count() == 3 + 6);  // three rings of two, two rings of three

  // Rank = x + X * y: rank 5 = (1, 1) neighbours (0,1), (2,1), (1,0), (1,2).
  std::set<int> neighbours;
  for (Vertex n : boost::make_iterator_range(boost::adjacent_vertices(square.device(5), square.graph()))) {
    neighbours.insert(square[n].rank);
  }
  CHECK(neighbours == std::set<int>{4, 6, 1, 9});
}

TEST_CASE("dragonfly: balanced groups get exactly one global link per pair", "[topology]") {
  // a = 4 routers, h = 2 global links each, g = a*h + 1 = 9 groups, p = 2 devices per router.
  Topology fly = dragonfly({.groups = 9, .routers_per_group = 4, .devices_per_router = 2,
                            .global_links_per_router = 2, .link_bandwidth_bytes_per_s = kNic});
  CHECK(fly.device_count() == 72);
  CHECK(fly.switch_count() == 36);
  CHECK(fly.link_count() == 72 + 9 * 6 + 9 * 8 / 2);

  const Graph& graph = fly.graph();
  std::map<std::pair<int, int>, int> links_between_groups;
  std::map<Vertex, int> global_links_of_router;
  for (Edge e : fly.links()) {
    if (fly[e].technology != "global link") continue;
    Vertex a = boost::source(e, graph), b = boost::target(e, graph);
    int group_a = std::stoi(graph[a].name.substr(1)), group_b = std::stoi(graph[b].name.substr(1));
    CHECK(group_a != group_b);
    ++links_between_groups[{std::min(group_a, group_b), std::max(group_a, group_b)}];
    ++global_links_of_router[a];
    ++global_links_of_router[b];
  }
  CHECK(links_between_groups.size() == 36);
  for (const auto& [pair, count] : links_between_groups) CHECK(count == 1);
  CHECK(global_links_of_router.size() == 36);
  for (const auto& [router, count] : global_links_of_router) CHECK(count == 2);
}

TEST_CASE("builders reject empty shapes", "[topology]") {
  CHECK_THROWS_AS(nvswitch_node(0, 1e9, 0), std::invalid_argument);
  CHECK_THROWS_AS(pcie_node(8, 0, 1e9, 0), std::invalid_argument);
  CHECK_THROWS_AS(fat_tree({.devices = 8, .tiers = 4, .nic_bandwidth_bytes_per_s = kNic}), std::invalid_argument);
  CHECK_THROWS_AS(fat_tree({.devices = 8}), std::invalid_argument);  // no NIC bandwidth
  CHECK_THROWS_AS(torus({4, 0}, 1e9, 0), std::invalid_argument);
  CHECK_THROWS_AS(dragonfly({.groups = 3, .routers_per_group = 2, .devices_per_router = 1}), std::invalid_argument);
}

TEST_CASE("link names are unique, parallel links included", "[topology]") {
  Topology two = torus({2}, 1e9, 0);
  CHECK(two.link_count() == 1);
  Topology fly = dragonfly({.groups = 2, .routers_per_group = 1, .devices_per_router = 1,
                            .global_links_per_router = 3, .link_bandwidth_bytes_per_s = kNic});
  CHECK(fly.link_count() == 2 + 3);  // three parallel global links between the two groups
  std::set<std::string> names;
  for (Edge e : fly.links()) names.insert(fly[e].name);
  CHECK(names.size() == fly.link_count());
}

// A cluster of several kinds of server as one graph: each pool on leaf switches (and pods) of its
// own at its own NIC rate, the spines or cores above shared by all.
#include <set>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_exception.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "tests/topology/cluster_fixtures.hpp"
#include "topology/cluster_topology.hpp"
#include "topology/metrics.hpp"

using namespace kcsim::topology;
using namespace kcsim::topology::testing;
using Catch::Matchers::ContainsSubstring;

namespace {

// PCIe card servers (eight RNGD-like cards each) at 100 Gb/s per card.
kcsim::config::Cluster card_servers(int nodes) {
  auto cluster = pcie_server(nodes);
  cluster.mutable_scale_out()->set_kind("fat-tree");
  cluster.mutable_scale_out()->set_nic_bandwidth_gbit_per_s(100);
  return cluster;
}

// The pool of every device a leaf switch reaches, by rank: -1 when the leaf mixes pools.
std::set<int> pools_under(const Topology& t, Vertex sw, int first_card_rank) {
  std::set<int> pools;
  for (auto e : boost::make_iterator_range(boost::out_edges(sw, t.graph()))) {
    Vertex other = boost::target(e, t.graph());
    if (t[other].kind == VertexKind::Device) pools.insert(t[other].rank < first_card_rank ? 0 : 1);
  }
  return pools;
}

}  // namespace

TEST_CASE("pools: each on leaves of its own at its own NIC rate under shared spines",
          "[topology][pools]") {
  auto gpus = dgx_like(4, "fat-tree");  // 32 devices at 400 Gb/s: one leaf
  auto cards = card_servers(8);         // 64 cards at 100 Gb/s: two leaves
  auto gpu_chip = nvlink_chip();
  auto card_chip = pcie_chip();
  Topology t = build_pooled_topology("mixed", {{gpus, gpu_chip}, {cards, card_chip}});

  REQUIRE(t.device_count() == 96);
  for (int rank = 0; rank < 96; ++rank) {
    CHECK(t[t.device(rank)].node == rank / 8);  // server numbers run on from pool to pool
  }
  // 4 NVSwitches, 8 card servers of 2 PCIe switches and a root complex, 3 leaves, and 32
  // spines: a non-blocking leaf of 32 ports down has 32 up.
  CHECK(t.switch_count() == 4 + 8 * 3 + 3 + 32);
  int leaves = 0;
  for (Vertex sw : t.switches()) {
    if (t[sw].tier != kLeafTier) continue;
    ++leaves;
    CHECK(pools_under(t, sw, 32).size() == 1);
  }
  CHECK(leaves == 3);
  int gpu_nics = 0, card_nics = 0;
  for (Edge e : t.links()) {
    if (t[e].technology == "400G NIC") ++gpu_nics;
    if (t[e].technology == "100G NIC") ++card_nics;
  }
  // Each pool's NICs and its leaves' uplinks run at its rate.
  CHECK(gpu_nics == 32 + 32);
  CHECK(card_nics == 64 + 2 * 32);
  auto metrics = compute_metrics(t);
  CHECK(metrics.diameter_hops == 4);  // device, leaf, spine, leaf, device
  CHECK(metrics.bisection_bandwidth_bytes_per_s > 0);
}

TEST_CASE("one pool's network is the fat-tree of that cluster alone", "[topology][pools]") {
  auto cluster = dgx_like(12, "fat-tree");  // 96 devices: three leaves and spines
  auto chip = nvlink_chip();
  Topology alone = build_cluster_topology(cluster, chip);
  Topology pooled = build_pooled_topology(cluster.name(), {{cluster, chip}});
  REQUIRE(pooled.device_count() == alone.device_count());
  REQUIRE(pooled.switch_count() == alone.switch_count());
  REQUIRE(pooled.link_count() == alone.link_count());
  std::set<std::string> a, b;
  for (Edge e : alone.links())
    a.insert(alone[e].name + " " + std::to_string(alone[e].bandwidth_bytes_per_s));
  for (Edge e : pooled.links())
    b.insert(pooled[e].name + " " + std::to_string(pooled[e].bandwidth_bytes_per_s));
  CHECK(a == b);
}

TEST_CASE("pools past 64 leaves: three tiers with each pool on pods of its own",
          "[topology][pools]") {
  auto gpus = dgx_like(160, "fat-tree");  // 1,280 devices: 40 leaves, pods of 32 and 8 leaves
  auto cards = card_servers(160);         // 1,280 cards: 40 leaves more
  auto gpu_chip = nvlink_chip();
  auto card_chip = pcie_chip();
  Topology t = build_pooled_topology("big", {{gpus, gpu_chip}, {cards, card_chip}});
  REQUIRE(t.device_count() == 2560);
  int aggregation = 0, cores = 0;
  for (Vertex sw : t.switches()) {
    if (t[sw].tier == kCoreTier) ++cores;
    if (t[sw].tier != kSpineTier) continue;
    ++aggregation;
    // An aggregation switch joins the leaves of one pool only.
    std::set<int> pools;
    for (auto e : boost::make_iterator_range(boost::out_edges(sw, t.graph()))) {
      Vertex leaf = boost::target(e, t.graph());
      if (t[leaf].tier != kLeafTier) continue;
      for (int p : pools_under(t, leaf, 1280)) pools.insert(p);
    }
    CHECK(pools.size() == 1);
  }
  CHECK(aggregation == 4 * 32);  // four pods, 32 uplinks a leaf
  CHECK(cores == 32 * 32);
  CHECK(compute_metrics(t).diameter_hops == 6);  // up to a core and down again
}

TEST_CASE("a pool without a NIC rate cannot reach the others", "[topology][pools]") {
  auto gpus = dgx_like(1, "fat-tree");
  auto cards = card_servers(1);
  cards.mutable_scale_out()->clear_nic_bandwidth_gbit_per_s();
  auto gpu_chip = nvlink_chip();
  auto card_chip = pcie_chip();
  CHECK_THROWS_MATCHES(build_pooled_topology("mixed", {{gpus, gpu_chip}, {cards, card_chip}}),
                       kcsim::InputError,
                       Catch::Matchers::MessageMatches(ContainsSubstring("NIC rate")));
}

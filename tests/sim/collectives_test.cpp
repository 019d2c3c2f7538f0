#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "sim/cost/collectives.hpp"

using Catch::Matchers::WithinRel;
using kcsim::Collective;

namespace {

kcsim::NetworkTiers tiers() {
  kcsim::NetworkTiers t;
  t.devices_per_node = 8;
  t.nodes = 4;
  t.intra_node = {"nvlink", 300e9, 1e-6};
  t.scale_out = {"ib", 25e9, 5e-6};
  return t;
}

}  // namespace

TEST_CASE("ring all-reduce inside a server matches 2(n-1)a + 2(n-1)/n S/B", "[sim][collectives]") {
  double bytes = 1e9;
  // NCCL's default loops: 24 channels x 8 members x 2 MiB = 402.7 MB a loop, so 3 loops, each
  // paying the 2(n-1) latency steps.
  double expected = 3 * 2 * 7 * 1e-6 + 2.0 * 7 / 8 * bytes / (300e9 * 0.8);
  double got = kcsim::collective_time_s(Collective::AllReduce, bytes, {8, 8}, tiers(), 0.8);
  CHECK_THAT(got, WithinRel(expected, 1e-12));
}

TEST_CASE("reduce-scatter plus all-gather equals all-reduce on one tier", "[sim][collectives]") {
  auto t = tiers();
  double rs = kcsim::collective_time_s(Collective::ReduceScatter, 5e8, {8, 8}, t, 1.0);
  double ag = kcsim::collective_time_s(Collective::AllGather, 5e8, {8, 8}, t, 1.0);
  double ar = kcsim::collective_time_s(Collective::AllReduce, 5e8, {8, 8}, t, 1.0);
  CHECK_THAT(rs + ag, WithinRel(ar, 1e-12));
}

TEST_CASE("a group across servers runs intra, inter on 1/per_node of the data, intra",
          "[sim][collectives]") {
  auto t = tiers();
  double bytes = 8e8;
  // Inside the servers two loops of 402.7 MB (NCCL's defaults); between them one.
  double intra = (2 * 7.0 * 1e-6 + 7.0 / 8 * bytes / 300e9);
  double inter = 2 * 3 * 5e-6 + 2.0 * 3 / 4 * (bytes / 8) / 25e9;
  double got = kcsim::collective_time_s(Collective::AllReduce, bytes, {32, 8}, t, 1.0);
  CHECK_THAT(got, WithinRel(2 * intra + inter, 1e-12));
}

TEST_CASE("one device per server rings over the network alone", "[sim][collectives]") {
  auto t = tiers();
  double got = kcsim::collective_time_s(Collective::AllReduce, 1e8, {4, 1}, t, 1.0);
  CHECK_THAT(got, WithinRel(2 * 3 * 5e-6 + 2.0 * 3 / 4 * 1e8 / 25e9, 1e-12));
}

TEST_CASE("a group of one costs nothing; a send costs one latency plus bytes over bandwidth",
          "[sim][collectives]") {
  auto t = tiers();
  CHECK(kcsim::collective_time_s(Collective::AllReduce, 1e9, {1, 1}, t, 1.0) == 0);
  double send = kcsim::collective_time_s(Collective::SendRecv, 3e8, {2, 2}, t, 1.0);
  CHECK_THAT(send, WithinRel(1e-6 + 3e8 / 300e9, 1e-12));
}

TEST_CASE("collective time grows about linearly in bytes at large sizes", "[sim][collectives]") {
  auto t = tiers();
  double small = kcsim::collective_time_s(Collective::AllGather, 1e9, {8, 8}, t, 1.0);
  double large = kcsim::collective_time_s(Collective::AllGather, 2e9, {8, 8}, t, 1.0);
  CHECK_THAT(large / small, WithinRel(2.0, 0.01));
}

TEST_CASE("between servers a tree wins small all-reduces and a ring wins large ones",
          "[sim][collectives]") {
  auto t = tiers();
  t.nodes = 64;
  kcsim::Group group{512, 8};
  double small = 64e3, large = 4e9;
  for (double bytes : {small, large}) {
    double ring = kcsim::collective_time_s(Collective::AllReduce, bytes, group, t, 1.0,
                                           kcsim::Algorithm::ring());
    double tree = kcsim::collective_time_s(Collective::AllReduce, bytes, group, t, 1.0,
                                           kcsim::Algorithm::named("tree"));
    double chosen = kcsim::collective_time_s(Collective::AllReduce, bytes, group, t, 1.0);
    CHECK_THAT(chosen, WithinRel(std::min(ring, tree), 1e-12));
    if (bytes == small) CHECK(tree < ring);
    if (bytes == large) CHECK(ring < tree);
  }
  // The tree stage: 2 ceil(log2 64) latency steps and twice the slice over the NIC.
  auto stages = kcsim::collective_stages(Collective::AllReduce, small, group,
                                         kcsim::Algorithm::named("tree"), &t, 1.0);
  REQUIRE(stages.size() == 3);
  CHECK(stages[1].inter_node);
  CHECK(stages[1].shape.steps == 12);
  CHECK(stages[1].shape.volume == 2);
  // Inside a server the ring always runs.
  CHECK(stages[0].shape.steps == 7);
}

TEST_CASE("algorithm names parse", "[sim][collectives]") {
  CHECK(kcsim::Algorithm::parse("tree") == kcsim::Algorithm::named("tree"));
  CHECK(kcsim::Algorithm::parse("auto") == kcsim::Algorithm());
  CHECK(kcsim::Algorithm::parse("auto")->fixed() == nullptr);
  CHECK_FALSE(kcsim::Algorithm::parse("butterfly").has_value());
  CHECK_THROWS_AS(kcsim::Algorithm::named("butterfly"), std::invalid_argument);
  CHECK(kcsim::Algorithm::ring().name() == "ring");
  CHECK(kcsim::Algorithm().name() == "auto");
  CHECK(kcsim::algorithm_names() == "auto, ring, tree or halving-doubling");
}

TEST_CASE("a buffer beyond channels x members x chunk pays the ring's latency once per loop",
          "[sim][collectives]") {
  using kcsim::CollectiveProtocol;
  using kcsim::ring_loops;
  CollectiveProtocol one_channel{1e6, 1};  // a loop carries 8 x 1 MB on 8 members
  CHECK(ring_loops(Collective::AllReduce, 8e6, 8, one_channel) == 1);
  CHECK(ring_loops(Collective::AllReduce, 8e6 + 1, 8, one_channel) == 2);
  CHECK(ring_loops(Collective::ReduceScatter, 8e7, 8, one_channel) == 10);
  CHECK(ring_loops(Collective::AllGather, 8e7, 8, one_channel) == 10);
  // Sends, all-to-alls and broadcasts are not looped; a group of one never is.
  CHECK(ring_loops(Collective::SendRecv, 8e7, 2, one_channel) == 1);
  CHECK(ring_loops(Collective::AllToAll, 8e7, 8, one_channel) == 1);
  CHECK(ring_loops(Collective::AllReduce, 8e7, 1, one_channel) == 1);
  // NCCL's defaults: 24 channels, 2 MiB chunks.
  CHECK(ring_loops(Collective::AllReduce, 24.0 * 8 * 2 * 1024 * 1024, 8, {}) == 1);
  CHECK(ring_loops(Collective::AllReduce, 24.0 * 8 * 2 * 1024 * 1024 + 1, 8, {}) == 2);

  // The same bytes move either way; only the latency steps multiply.
  auto t = tiers();
  double bytes = 8e7;
  double looped = kcsim::collective_time_s(Collective::AllReduce, bytes, {8, 8}, t, 1.0,
                                           kcsim::Algorithm::ring(), one_channel);
  double once = kcsim::collective_time_s(Collective::AllReduce, bytes, {8, 8}, t, 1.0,
                                         kcsim::Algorithm::ring(), {1e9, 1});
  CHECK_THAT(once, WithinRel(2 * 7 * 1e-6 + 2.0 * 7 / 8 * bytes / 300e9, 1e-12));
  CHECK_THAT(looped - once, WithinRel(9 * 2 * 7 * 1e-6, 1e-9));
  auto stages = kcsim::collective_stages(Collective::AllReduce, bytes, {8, 8},
                                         kcsim::Algorithm::ring(), &t, 1.0, one_channel);
  REQUIRE(stages.size() == 1);
  CHECK(stages[0].shape.steps == 10 * 14);
  CHECK(stages[0].shape.volume == 2.0 * 7 / 8);
}

TEST_CASE("halving-doubling: 2 log2 p steps at a ring's volume, two more of each off a power of 2",
          "[sim][collectives]") {
  auto eight = kcsim::halving_doubling_shape(8);
  CHECK(eight.steps == 6);
  CHECK_THAT(eight.volume, WithinRel(2.0 * 7 / 8, 1e-15));
  CHECK_THAT(eight.volume, WithinRel(kcsim::ring_shape(Collective::AllReduce, 8).volume, 1e-15));
  auto six = kcsim::halving_doubling_shape(6);  // 4 in the recursion, 2 folded in and out
  CHECK(six.steps == 2 * 2 + 2);
  CHECK_THAT(six.volume, WithinRel(2.0 * 3 / 4 + 2, 1e-15));
  CHECK(kcsim::halving_doubling_shape(1).steps == 0);

  // Between servers, named: its shape on the scale-out stage, rings inside the servers.
  auto t = tiers();
  t.nodes = 64;
  kcsim::Group group{512, 8};
  auto hd = kcsim::Algorithm::named("halving-doubling");
  auto stages = kcsim::collective_stages(Collective::AllReduce, 64e3, group, hd, &t, 1.0);
  REQUIRE(stages.size() == 3);
  CHECK(stages[1].shape.steps == 12);
  CHECK(stages[0].shape.steps == 7);
  // Only all-reduce has one; a reduce-scatter between servers stays a ring.
  auto rs = kcsim::collective_stages(Collective::ReduceScatter, 64e3, group, hd, &t, 1.0);
  CHECK(rs[1].shape.steps == 63);
  // Auto weighs only what NCCL's tuner weighs: never halving-doubling, though it would win here.
  double auto_s = kcsim::collective_time_s(Collective::AllReduce, 64e3, group, t, 1.0);
  double hd_s = kcsim::collective_time_s(Collective::AllReduce, 64e3, group, t, 1.0, hd);
  double tree_s = kcsim::collective_time_s(Collective::AllReduce, 64e3, group, t, 1.0,
                                           kcsim::Algorithm::named("tree"));
  CHECK(hd_s < tree_s);
  CHECK_THAT(auto_s, WithinRel(tree_s, 1e-12));
}

TEST_CASE("the algorithm registry runs the ring first and every entry is found by its name",
          "[sim][collectives]") {
  const auto& all = kcsim::collective_algorithms();
  REQUIRE_FALSE(all.empty());
  CHECK(all.front().name == "ring");
  for (const auto& algorithm : all) {
    CHECK(kcsim::find_collective_algorithm(algorithm.name) == &algorithm);
    CHECK_FALSE(algorithm.summary.empty());
    // Every algorithm runs an all-reduce; the ring runs everything.
    CHECK(algorithm.shape(Collective::AllReduce, 16, 1e6, {}).has_value());
  }
  for (auto kind : {Collective::ReduceScatter, Collective::AllGather, Collective::AllToAll,
                    Collective::Broadcast, Collective::SendRecv}) {
    CHECK(all.front().shape(kind, 16, 1e6, {}).has_value());
  }
}

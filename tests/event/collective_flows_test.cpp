// Collectives as flows on SimGrid match their alpha-beta closed forms when nothing else runs,
// and share a bottleneck the way max-min fairness says.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <fmt/format.h>

#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster/cluster_model.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "tests/sim/engine_fixtures.hpp"
#include "topology/builders.hpp"
#include "topology/cluster_topology.hpp"

using Catch::Matchers::WithinRel;
using namespace kcsim;
namespace sg4 = simgrid::s4u;

namespace {

// A fresh engine on `topology`; `start` creates the actors. Returns the simulated end time.
double simulate(const topology::Topology& topology,
                const std::function<void(const event::Platform&)>& start) {
  std::string out = event::run_isolated([&] {
    auto& engine = event::start_engine();
    auto platform = event::build_platform(engine, topology);
    start(platform);
    engine.run();
    return fmt::format("{:.17g}", sg4::Engine::get_clock());
  });
  return std::stod(out);
}

double ring_on_node(Collective kind, double bytes, int n) {
  auto topology = topology::nvswitch_node(n, 300e9, 0.5e-6);
  return simulate(topology, [&](const event::Platform& p) {
    auto devices = p.devices;
    event::CollectiveCall call{"c",   n,  [devices](int k) { return devices[k]; }, n, kind,
                               bytes, 0.8};
    for (int i = 0; i < n; ++i) {
      sg4::Actor::create("m" + std::to_string(i), p.devices[i],
                         [call, i] { event::run_collective(call, i); });
    }
  });
}

// Two leaves of two devices at 50 GB/s; oversubscription 2 leaves one NIC-rate uplink per leaf.
// Every link has 1 us of latency.
topology::Topology two_leaves() {
  topology::FatTreeSpec spec;
  spec.devices = 4;
  spec.devices_per_leaf = 2;
  spec.oversubscription = 2;
  spec.nic_bandwidth_bytes_per_s = 50e9;
  spec.link_latency_s = 1e-6;
  return topology::fat_tree(spec);
}

}  // namespace

TEST_CASE("ring collectives on an idle server match alpha-beta within 1 %",
          "[event][collectives]") {
  LinkTier nvlink{"nvlink", 300e9, 1e-6};  // two links of 0.5 us between any two devices
  for (auto kind : {Collective::AllReduce, Collective::ReduceScatter, Collective::AllGather,
                    Collective::AllToAll}) {
    for (double bytes : {1e6, 256e6}) {
      INFO(collective_name(kind) << " of " << bytes << " bytes");
      double expected = ring_time_s(kind, bytes, 8, nvlink, 0.8);
      CHECK_THAT(ring_on_node(kind, bytes, 8), WithinRel(expected, 0.01));
    }
  }
}

TEST_CASE("two flows through one oversubscribed uplink each get half of it",
          "[event][collectives]") {
  auto topology = two_leaves();
  double bytes = 1e9;
  double alone = simulate(topology, [&](const event::Platform& p) {
    sg4::Actor::create("s0", p.devices[0],
                       [bytes] { event::send_bytes("f0", bytes, nullptr)->wait(); });
    sg4::Actor::create("r0", p.devices[2], [] { event::receive_bytes("f0"); });
  });
  double shared = simulate(topology, [&](const event::Platform& p) {
    sg4::Actor::create("s0", p.devices[0],
                       [bytes] { event::send_bytes("f0", bytes, nullptr)->wait(); });
    sg4::Actor::create("r0", p.devices[2], [] { event::receive_bytes("f0"); });
    sg4::Actor::create("s1", p.devices[1],
                       [bytes] { event::send_bytes("f1", bytes, nullptr)->wait(); });
    sg4::Actor::create("r1", p.devices[3], [] { event::receive_bytes("f1"); });
  });
  // A lone send: one latency (four links of 1 us: device, leaf, spine, leaf, device) plus bytes
  // over bandwidth.
  double latency = alone - bytes / 50e9;
  CHECK_THAT(latency, WithinRel(4e-6, 0.01));
  CHECK_THAT(shared - latency, WithinRel(2 * bytes / 50e9, 0.01));
}

TEST_CASE("a ring's time follows the bytes per device, not the member count",
          "[event][collectives]") {
  // (n-1)/n of the buffer crosses each link whatever n is; only the latency steps grow.
  double small = ring_on_node(Collective::AllGather, 1e9, 8);
  double large = ring_on_node(Collective::AllGather, 1e9, 64);
  LinkTier nvlink{"nvlink", 300e9, 1e-6};
  double expected = ring_time_s(Collective::AllGather, 1e9, 64, nvlink, 0.8) /
                    ring_time_s(Collective::AllGather, 1e9, 8, nvlink, 0.8);
  CHECK(expected < 1.15);
  CHECK_THAT(large / small, WithinRel(expected, 0.01));
}

TEST_CASE("a ring on private server links takes the time its flows would", "[event][collectives]") {
  auto topology = topology::nvswitch_node(8, 300e9, 0.5e-6);
  auto run = [&](bool private_links) {
    return simulate(topology, [&](const event::Platform& p) {
      auto devices = p.devices;
      event::CollectiveCall call{"c",
                                 8,
                                 [devices](int k) { return devices[k]; },
                                 8,
                                 Collective::AllReduce,
                                 64e6,
                                 0.8,
                                 3,
                                 private_links};
      for (int i = 0; i < 8; ++i) {
        sg4::Actor::create("m" + std::to_string(i), p.devices[i],
                           [call, i] { event::run_collective(call, i); });
      }
    });
  };
  CHECK_THAT(run(true), WithinRel(run(false), 1e-9));
}

TEST_CASE("a tree all-reduce between servers runs as flows at its alpha-beta time",
          "[event][collectives]") {
  // One device per "server": the whole group is the between-servers stage.
  auto topology = topology::nvswitch_node(8, 300e9, 0.5e-6);
  double bytes = 1e6;
  double got = simulate(topology, [&](const event::Platform& p) {
    auto devices = p.devices;
    event::CollectiveCall call{"t",
                               8,
                               [devices](int k) { return devices[k]; },
                               1,
                               Collective::AllReduce,
                               bytes,
                               0.8,
                               1,
                               false,
                               Algorithm::named("tree"),
                               nullptr};
    for (int i = 0; i < 8; ++i) {
      sg4::Actor::create("m" + std::to_string(i), p.devices[i],
                         [call, i] { event::run_collective(call, i); });
    }
  });
  RingStage stage{Collective::AllReduce, bytes, 8, true, tree_shape(8)};
  LinkTier link{"nvlink", 300e9, 1e-6};
  CHECK_THAT(got, WithinRel(stage_time_s(stage, link, 0.8), 0.01));
  CHECK(got < ring_time_s(Collective::AllReduce, bytes, 8, link, 0.8));
}

namespace {

// Four servers of the data-parallel sample's network (8 devices each at 400 GB/s inside, a
// rail-optimized second level at 50 GB/s per device), and every collective over all 32 devices
// run as flows on every stage (nothing taken in closed form).
struct ServerGroup {
  ClusterModel cluster;
  topology::Topology topology;
};

ServerGroup four_servers() {
  config::Scenario scenario;
  config::LoadedFile::parse(KCSIM_SOURCE_DIR "/configs/scenarios/dp-sample.textproto", &scenario);
  auto config = scenario.clusters(0);
  config.set_nodes(4);
  auto cluster = resolve_cluster(config, test::catalog());
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  return {std::move(cluster), std::move(topology)};
}

double across_servers(const ServerGroup& g, Collective kind, double bytes) {
  return simulate(g.topology, [&](const event::Platform& p) {
    auto devices = p.devices;
    event::CollectiveCall call{"h",   32, [devices](int k) { return devices[k]; }, 8, kind,
                               bytes, 0.8};
    for (int i = 0; i < 32; ++i) {
      sg4::Actor::create("m" + std::to_string(i), p.devices[i],
                         [call, i] { event::run_collective(call, i); });
    }
  });
}

}  // namespace

TEST_CASE("hierarchical collectives across servers match alpha-beta within 1 %",
          "[event][collectives]") {
  auto g = four_servers();
  // The tiers price a step between servers at the network's whole latency, the longest route
  // (device, leaf, spine, leaf, device). Ring neighbours on one rail sit under the same leaf:
  // their route is two of those four links, half the latency.
  NetworkTiers neighbours = g.cluster.tiers;
  neighbours.scale_out.latency_s /= 2;
  for (auto kind : {Collective::AllReduce, Collective::ReduceScatter, Collective::AllGather,
                    Collective::AllToAll, Collective::Broadcast}) {
    for (double bytes : {1e6, 256e6}) {
      INFO(collective_name(kind) << " of " << bytes << " bytes");
      double expected =
          collective_time_s(kind, bytes, Group{32, 8}, neighbours, 0.8, Algorithm::ring());
      CHECK_THAT(across_servers(g, kind, bytes), WithinRel(expected, 0.01));
    }
  }
}

TEST_CASE("a broadcast inside a server matches alpha-beta within 1 %", "[event][collectives]") {
  LinkTier nvlink{"nvlink", 300e9, 1e-6};
  for (double bytes : {1e6, 256e6}) {
    double expected = ring_time_s(Collective::Broadcast, bytes, 8, nvlink, 0.8);
    CHECK_THAT(ring_on_node(Collective::Broadcast, bytes, 8), WithinRel(expected, 0.01));
  }
}

TEST_CASE("two all-reduces sharing an uplink each get half of it", "[event][collectives]") {
  // Ring {0, 2} and ring {1, 3} both cross the one uplink in each direction, so max-min sharing
  // halves each one's bandwidth.
  auto topology = two_leaves();
  double bytes = 1e9;
  auto rings = [&](std::vector<std::vector<int>> groups) {
    return simulate(topology, [&](const event::Platform& p) {
      for (size_t g = 0; g < groups.size(); ++g) {
        auto members = groups[g];
        auto devices = p.devices;
        event::CollectiveCall call{"ar" + std::to_string(g),
                                   2,
                                   [devices, members](int k) { return devices[members[k]]; },
                                   1,
                                   Collective::AllReduce,
                                   bytes,
                                   1.0};
        for (int k = 0; k < 2; ++k) {
          sg4::Actor::create(fmt::format("m{}.{}", g, k), p.devices[members[k]],
                             [call, k] { event::run_collective(call, k); });
        }
      }
    });
  };
  double alone = rings({{0, 2}});
  double shared = rings({{0, 2}, {1, 3}});
  // An all-reduce of two members sends the whole buffer once each way: S / B alone, 2 S / B when
  // the uplink is shared; the latency part is the same.
  CHECK_THAT(shared - alone, WithinRel(bytes / 50e9, 0.01));
}

TEST_CASE("a looped ring runs as flows at its closed-form time", "[event][collectives]") {
  // One channel of 1 MB chunks: 64 MB over 8 members takes 8 loops, each paying the 14 latency
  // steps of an all-reduce; the flows carry the same bytes as one loop would.
  auto topology = topology::nvswitch_node(8, 300e9, 0.5e-6);
  NetworkTiers tiers;
  tiers.devices_per_node = 8;
  tiers.nodes = 1;
  tiers.intra_node = {"nvlink", 300e9, 1e-6};  // two links of 0.5 us between any two devices
  CollectiveProtocol protocol{1e6, 1};
  double bytes = 64e6;
  double got = simulate(topology, [&](const event::Platform& p) {
    auto devices = p.devices;
    event::CollectiveCall call{"l",
                               8,
                               [devices](int k) { return devices[k]; },
                               8,
                               Collective::AllReduce,
                               bytes,
                               0.8,
                               1,
                               false,
                               Algorithm::ring(),
                               nullptr,
                               protocol};
    for (int i = 0; i < 8; ++i) {
      sg4::Actor::create("m" + std::to_string(i), p.devices[i],
                         [call, i] { event::run_collective(call, i); });
    }
  });
  double expected = collective_time_s(Collective::AllReduce, bytes, Group{8, 8}, tiers, 0.8,
                                      Algorithm::ring(), protocol);
  CHECK_THAT(expected - collective_time_s(Collective::AllReduce, bytes, Group{8, 8}, tiers, 0.8,
                                          Algorithm::ring(), {1e9, 1}),
             WithinRel(7 * 14 * 1e-6, 1e-9));
  CHECK_THAT(got, WithinRel(expected, 0.01));
}

// Rings whose flows never meet, timed without flows (platform/lone_rings.hpp): the same member
// times and the same flows as the members' actors running them on SimGrid, the TCP window of a
// lone flow included; and the check that decides it, which must see links that flows share.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster/cluster_model.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/platform/lone_rings.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "tests/sim/engine_fixtures.hpp"
#include "topology/builders.hpp"
#include "topology/cluster_topology.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;
namespace sg4 = simgrid::s4u;

namespace {

// The team's data-parallel sample cluster (8 H100 to a server) with `nodes` servers on the
// scale-out network `kind`.
ClusterModel sample_cluster(int nodes, const std::string& kind, double oversubscription = 1) {
  config::Scenario scenario;
  config::LoadedFile::parse(KCSIM_SOURCE_DIR "/configs/scenarios/dp-sample.textproto", &scenario);
  auto cluster = scenario.clusters(0);
  cluster.set_nodes(nodes);
  cluster.mutable_scale_out()->set_kind(kind);
  cluster.mutable_scale_out()->set_oversubscription(oversubscription);
  return resolve_cluster(cluster, test::catalog());
}

// What a run of two back-to-back all-reduces gives, member by member, and the flows it
// announced.
struct Timeline {
  std::vector<double> clock, pending;
  int flows = 0;
  double bytes = 0, ends_s = 0;  // summed over the flows
};

std::string encode(const Timeline& t) {
  std::string out = fmt::format("{} {:.17g} {:.17g}", t.flows, t.bytes, t.ends_s);
  for (size_t p = 0; p < t.clock.size(); ++p) {
    out += fmt::format(" {:.17g} {:.17g}", t.clock[p], t.pending[p]);
  }
  return out;
}

Timeline decode(const std::string& text, int members) {
  std::istringstream in(text);
  Timeline t;
  in >> t.flows >> t.bytes >> t.ends_s;
  t.clock.resize(members);
  t.pending.resize(members);
  for (int p = 0; p < members; ++p) in >> t.clock[p] >> t.pending[p];
  return t;
}

// Members start apart, so that rendezvous decide when flows start.
double first_delay_s(int p) { return 1e-6 * (p % 5); }
double second_delay_s(int p) { return 3e-6 * (p % 3); }

// An all-reduce of 64 MB over every device of `cluster`, on private server links.
event::CollectiveCall all_reduce(const ClusterModel& cluster, const event::Platform& platform) {
  auto devices = platform.devices;
  return {"t",
          cluster.devices(),
          [devices](int k) { return devices[k]; },
          cluster.tiers.devices_per_node,
          Collective::AllReduce,
          64e6,
          0.9,
          1,
          /*intra_node_private=*/true,
          Algorithm::ring(),
          &cluster.tiers};
}

// Two all-reduces of 64 MB over every device of `cluster`, on private server links, as the
// members' actors run them (`as_flows`) or as run_lone_rings computes them.
Timeline two_all_reduces(const ClusterModel& cluster, bool as_flows) {
  int n = cluster.devices();
  return decode(
      event::run_isolated([&] {
        auto& engine = event::start_engine();
        auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
        auto platform = event::build_platform(engine, topology);
        auto devices = platform.devices;
        auto call = all_reduce(cluster, platform);
        Timeline t;
        t.clock.assign(n, 0.0);
        t.pending.assign(n, 0.0);
        auto seen = event::flow_signal().connect([&t](const event::FlowEvent& flow) {
          ++t.flows;
          t.bytes += flow.bytes;
          t.ends_s += flow.end_s;
        });
        if (as_flows) {
          for (int p = 0; p < n; ++p) {
            sg4::Actor::create(fmt::format("m{}", p), devices[p], [&call, &t, p] {
              double rest = event::run_collective_folded(call, p, first_delay_s(p));
              rest = event::run_collective_folded(call, p, std::max(0.0, rest) + second_delay_s(p));
              t.clock[p] = sg4::Engine::get_clock();
              t.pending[p] = rest;
            });
          }
          engine.run();
        } else {
          for (int p = 0; p < n; ++p) t.pending[p] = first_delay_s(p);
          event::run_lone_rings(call, t.clock, t.pending);
          for (int p = 0; p < n; ++p) t.pending[p] += second_delay_s(p);
          event::run_lone_rings(call, t.clock, t.pending);
        }
        return encode(t);
      }),
      n);
}

bool rings_never_meet(const ClusterModel& cluster) {
  return event::run_isolated([&] {
           auto& engine = event::start_engine();
           auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
           auto platform = event::build_platform(engine, topology);
           return std::string(event::rings_never_meet({all_reduce(cluster, platform)}) ? "alone"
                                                                                       : "shared");
         }) == "alone";
}

}  // namespace

TEST_CASE("rings whose flows never meet take the flows' timeline, member by member",
          "[event][collectives]") {
  for (int nodes : {2, 5}) {
    auto cluster = sample_cluster(nodes, "rail-optimized");
    INFO(nodes << " servers of 8");
    REQUIRE(rings_never_meet(cluster));
    Timeline flows = two_all_reduces(cluster, true);
    Timeline lone = two_all_reduces(cluster, false);
    CHECK(lone.flows == flows.flows);
    CHECK_THAT(lone.bytes, WithinRel(flows.bytes, 1e-14));  // summed in another order
    CHECK_THAT(lone.ends_s, WithinRel(flows.ends_s, 1e-12));
    for (int p = 0; p < cluster.devices(); ++p) {
      INFO("member " << p);
      CHECK_THAT(lone.clock[p], WithinRel(flows.clock[p], 1e-12));
      CHECK_THAT(lone.pending[p], WithinAbs(flows.pending[p], 1e-15));
    }
  }
}

TEST_CASE("rings that share a link are seen, and their flows take longer", "[event][collectives]") {
  // A fat-tree puts a server's eight devices on one leaf: its eight rails' rings leave the leaf
  // together, over uplinks that ECMP shares among them (four times oversubscribed).
  auto cluster = sample_cluster(8, "fat-tree", 4);
  CHECK_FALSE(rings_never_meet(cluster));
  Timeline flows = two_all_reduces(cluster, true);
  Timeline lone = two_all_reduces(cluster, false);
  double flows_end = *std::max_element(flows.clock.begin(), flows.clock.end());
  double lone_end = *std::max_element(lone.clock.begin(), lone.clock.end());
  CHECK(flows_end > 1.5 * lone_end);
}

TEST_CASE("a lone flow takes latency + bytes / rate, CM02's TCP window included",
          "[event][collectives]") {
  // 1 ms each way: the window (4 MiB by default) over the 2 ms round trip caps the flow at about
  // 2.1 GB/s, under the link's 100 GB/s.
  for (double latency_s : {1e-6, 1e-3}) {
    auto topology = topology::nvswitch_node(2, 100e9, latency_s / 2);
    auto result = event::run_isolated([&] {
      auto& engine = event::start_engine();
      auto platform = event::build_platform(engine, topology);
      double expected = event::lone_flow_s(platform.devices[0], platform.devices[1], 1e9);
      sg4::Actor::create("s", platform.devices[0], [&platform] {
        sg4::Comm::sendto(platform.devices[0], platform.devices[1], 1000000000);
      });
      engine.run();
      return fmt::format("{:.17g} {:.17g}", expected, sg4::Engine::get_clock());
    });
    std::istringstream in(result);
    double expected = 0, simulated = 0;
    in >> expected >> simulated;
    INFO("latency " << latency_s << " s");
    CHECK_THAT(expected, WithinRel(simulated, 1e-12));
    if (latency_s > 1e-4) CHECK(expected > 1e9 / 2.2e9);
  }
}

TEST_CASE("rings_never_meet takes the calls of one group", "[event][collectives]") {
  event::CollectiveCall sixteen{"a", 16, nullptr, 8, Collective::AllReduce, 1e6};
  event::CollectiveCall eight{"b", 8, nullptr, 8, Collective::AllReduce, 1e6};
  CHECK(event::rings_never_meet({}));
  CHECK_THROWS_AS(event::rings_never_meet({sixteen, eight}), std::invalid_argument);
}

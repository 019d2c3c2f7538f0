// Diameter and bisection bandwidth against the values known for each shape.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "tests/topology/cluster_fixtures.hpp"
#include "topology/builders.hpp"
#include "topology/cluster_topology.hpp"
#include "topology/link_power.hpp"
#include "topology/metrics.hpp"

using namespace kcsim::topology;
using namespace kcsim::topology::testing;
using Catch::Matchers::WithinRel;

namespace {
constexpr double kNic = 50e9;
}

TEST_CASE("torus diameter: half of each ring, chips linked directly (no switches)", "[topology]") {
  // Each hop is one chip-to-chip link: (0,0) -> (2,2) is 2 + 2 = 4 hops.
  CHECK(device_diameter_hops(torus({4, 4}, 100e9, 0)) == 4);
  CHECK(device_diameter_hops(torus({4, 4, 4}, 100e9, 0)) == 6);
  CHECK(device_diameter_hops(torus({5, 3}, 100e9, 0)) == 2 + 1);
  CHECK(device_diameter_hops(torus({8}, 100e9, 0)) == 4);
}

TEST_CASE("torus bisection: the cut crosses two links per ring along the split dimension", "[topology]") {
  // Ranks 0-7 are rows y = 0, 1: the cut between them and rows 2, 3 crosses 2 x 4 links.
  CHECK(bisection_bandwidth_bytes_per_s(torus({4, 4}, 100e9, 0)) == 8 * 100e9);
  // 4x4x4: split on z, 2 x 16 links.
  CHECK(bisection_bandwidth_bytes_per_s(torus({4, 4, 4}, 100e9, 0)) == 32 * 100e9);
}

TEST_CASE("fat-tree diameter: up to the top tier and back down", "[topology]") {
  CHECK(device_diameter_hops(fat_tree(k_ary_fat_tree(8, 2, kNic, 0))) == 4);
  CHECK(device_diameter_hops(fat_tree(k_ary_fat_tree(8, 3, kNic, 0))) == 6);
  CHECK(device_diameter_hops(fat_tree({.devices = 8, .devices_per_leaf = 8, .nic_bandwidth_bytes_per_s = kNic})) == 2);
}

TEST_CASE("fat-tree bisection: devices/2 x NIC when non-blocking, halved at oversubscription 2", "[topology]") {
  for (int tiers : {2, 3}) {
    FatTreeSpec spec = k_ary_fat_tree(8, tiers, kNic, 0);
    double half = spec.devices / 2.0;
    CHECK(bisection_bandwidth_bytes_per_s(fat_tree(spec)) == half * kNic);
    spec.oversubscription = 2;
    CHECK(bisection_bandwidth_bytes_per_s(fat_tree(spec)) == half * kNic / 2);
    spec.oversubscription = 4;
    CHECK(bisection_bandwidth_bytes_per_s(fat_tree(spec)) == half * kNic / 4);
  }
}

TEST_CASE("server fabrics: diameter and bisection", "[topology]") {
  Topology nvswitch = nvswitch_node(8, 450e9, 0);
  CHECK(device_diameter_hops(nvswitch) == 2);
  CHECK(bisection_bandwidth_bytes_per_s(nvswitch) == 4 * 450e9);

  // Cards 0-3 and 4-7 sit on different PCIe switches: one switch uplink is the cut.
  Topology pcie = pcie_node(8, 4, 64e9, 0);
  CHECK(device_diameter_hops(pcie) == 4);
  CHECK(bisection_bandwidth_bytes_per_s(pcie) == 64e9);
}

TEST_CASE("dragonfly diameter: local, global, local", "[topology]") {
  Topology fly = dragonfly({.groups = 9, .routers_per_group = 4, .devices_per_router = 2,
                            .global_links_per_router = 2, .link_bandwidth_bytes_per_s = kNic});
  // device, router, router, (global) router, router, device.
  CHECK(device_diameter_hops(fly) == 5);
}

TEST_CASE("DGX-like rail-optimized cluster: metrics", "[topology]") {
  Topology cluster = build_cluster_topology(dgx_like(4, "rail-optimized"), nvlink_chip());
  TopologyMetrics metrics = compute_metrics(cluster);
  CHECK(metrics.devices == 32);
  CHECK(metrics.switches == 16);
  CHECK(metrics.links == 96);
  CHECK(metrics.diameter_hops == 4);
  CHECK(metrics.bisection_bandwidth_bytes_per_s == 16 * kNic);
}

TEST_CASE("a PCIe server's diameter counts the root complex, not the shorter NIC path", "[topology]") {
  Topology server = build_cluster_topology(pcie_server(1), pcie_chip());
  CHECK(device_diameter_hops(server) == 4);
}

TEST_CASE("metrics of trivial and broken topologies", "[topology]") {
  Topology one = nvswitch_node(1, 1e9, 0);
  CHECK(device_diameter_hops(one) == 0);
  CHECK(bisection_bandwidth_bytes_per_s(one) == 0);

  Topology islands("islands");
  islands.add_device("a", 0);
  islands.add_device("b", 1);
  CHECK_THROWS_AS(device_diameter_hops(islands), std::runtime_error);
  CHECK(bisection_bandwidth_bytes_per_s(islands) == 0);
}

TEST_CASE("link power estimates are in the expected ranges", "[topology]") {
  // One 400 Gb/s optical network link (NIC port, two transceivers, switch port): tens of watts.
  LinkPower nic = estimate_link_power(LinkMedium::NetworkOptical, 50e9);
  CHECK(nic.active_w > 20);
  CHECK(nic.active_w < 60);
  CHECK(nic.idle_w < nic.active_w);
  // One NVLink4 port, 25 GB/s each way: a few watts.
  LinkPower nvlink_port = estimate_link_power(LinkMedium::ScaleUp, 25e9);
  CHECK(nvlink_port.active_w > 1);
  CHECK(nvlink_port.active_w < 10);
  // Power scales with the link rate.
  CHECK_THAT(estimate_link_power(LinkMedium::Pcie, 128e9).active_w,
             WithinRel(2 * estimate_link_power(LinkMedium::Pcie, 64e9).active_w, 1e-12));

  Topology tree = fat_tree(k_ary_fat_tree(4, 2, kNic, 0));
  for (Edge e : tree.links()) {
    CHECK(tree[e].active_power_w > 0);
    CHECK(tree[e].idle_power_w > 0);
  }
}

// A cluster config turned into a graph: servers, their fabric, the scale-out network.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_exception.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "tests/topology/cluster_fixtures.hpp"
#include "topology/cluster_topology.hpp"

using namespace kcsim::topology;
using namespace kcsim::topology::testing;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;

namespace {

int count_technology(const Topology& topology, const std::string& technology) {
  int count = 0;
  for (Edge e : topology.links()) count += topology[e].technology == technology;
  return count;
}

}  // namespace

TEST_CASE("a DGX-like cluster of 4 nodes has 32 devices", "[topology]") {
  Topology fat = build_cluster_topology(dgx_like(4, "fat-tree"), nvlink_chip());
  CHECK(fat.name() == "dgx-like");
  CHECK(fat.device_count() == 32);
  CHECK(fat.switch_count() == 4 + 1);  // 4 NVSwitch vertices; 32 devices fit one 64-port leaf
  CHECK(fat.link_count() == 32 + 32);
  CHECK(count_technology(fat, "NVLink4") == 32);
  for (int rank = 0; rank < 32; ++rank) CHECK(fat[fat.device(rank)].node == rank / 8);

  Topology rails = build_cluster_topology(dgx_like(4, "rail-optimized"), nvlink_chip());
  CHECK(rails.device_count() == 32);
  CHECK(rails.switch_count() == 4 + 8 + 4);  // NVSwitches, one leaf per rail, 4 spines
  CHECK(rails.link_count() == 32 + 32 + 8 * 4);
}

TEST_CASE("cluster links take their bandwidth from the node, the chip and the network", "[topology]") {
  Topology dgx = build_cluster_topology(dgx_like(2, "fat-tree"), nvlink_chip());
  for (Edge e : dgx.links()) {
    if (dgx[e].technology == "NVLink4") {
      CHECK(dgx[e].bandwidth_bytes_per_s == 450e9);
    } else {
      CHECK(dgx[e].technology == "400G NIC");
      CHECK(dgx[e].bandwidth_bytes_per_s == 50e9);
    }
  }

  auto cluster = dgx_like(1, "fat-tree");
  cluster.mutable_node()->mutable_intra_node()->set_name("custom");
  cluster.mutable_node()->mutable_intra_node()->set_bandwidth_gb_per_s(100);
  Topology overridden = build_cluster_topology(cluster, nvlink_chip());
  CHECK(count_technology(overridden, "custom") == 8);
}

TEST_CASE("PCIe servers: cards under PCIe switches, a root complex, then the NIC network", "[topology]") {
  Topology server = build_cluster_topology(pcie_server(1), pcie_chip());
  CHECK(server.device_count() == 8);
  CHECK(server.switch_count() == 2 + 1 + 1);  // PCIe switches, root complex, leaf
  CHECK(server.link_count() == 8 + 2 + 8);
  CHECK(count_technology(server, "PCIe Gen5 x16") == 10);

  // A chip without a scale-up link uses PCIe whatever the fabric says.
  auto nvswitch_config = dgx_like(1, "fat-tree");
  Topology fallback = build_cluster_topology(nvswitch_config, pcie_chip());
  CHECK(count_technology(fallback, "PCIe Gen5 x16") == 10);
}

TEST_CASE("DIRECT fabric: a full mesh sharing the device's scale-up bandwidth", "[topology]") {
  auto cluster = dgx_like(1, "fat-tree");
  cluster.mutable_node()->set_fabric(kcsim::config::DIRECT);
  Topology mesh = build_cluster_topology(cluster, nvlink_chip());
  CHECK(count_technology(mesh, "NVLink4") == 8 * 7 / 2);
  for (Edge e : mesh.links()) {
    if (mesh[e].technology == "NVLink4") CHECK_THAT(mesh[e].bandwidth_bytes_per_s, WithinRel(450e9 / 7, 1e-12));
  }
}

TEST_CASE("large clusters get a three-tier fat-tree of 64-port switches", "[topology]") {
  Topology big = build_cluster_topology(dgx_like(260, "fat-tree"), nvlink_chip());  // 2,080 devices, 65 leaves
  CHECK(big.device_count() == 2080);
  bool has_core = false;
  for (Vertex s : big.switches()) has_core |= big[s].tier == kCoreTier;
  CHECK(has_core);
  for (Vertex s : big.switches()) {
    if (big[s].tier >= kLeafTier) CHECK(boost::degree(s, big.graph()) <= 64);
  }
}

TEST_CASE("cluster config errors name the field", "[topology]") {
  auto unknown = dgx_like(2, "hypercube");
  CHECK_THROWS_MATCHES(build_cluster_topology(unknown, nvlink_chip()), kcsim::InputError,
                       Catch::Matchers::MessageMatches(ContainsSubstring("scale_out.kind") &&
                                                       ContainsSubstring("hypercube") &&
                                                       ContainsSubstring("fat-tree") &&
                                                       ContainsSubstring("rail-optimized")));

  auto no_nic = dgx_like(2, "fat-tree");
  no_nic.mutable_scale_out()->clear_nic_bandwidth_gbit_per_s();
  CHECK_THROWS_MATCHES(build_cluster_topology(no_nic, nvlink_chip()), kcsim::InputError,
                       Catch::Matchers::MessageMatches(ContainsSubstring("scale_out.nic_bandwidth_gbit_per_s")));

  // A lone server may leave the network out.
  auto lone = dgx_like(1, "fat-tree");
  lone.mutable_scale_out()->clear_nic_bandwidth_gbit_per_s();
  CHECK(build_cluster_topology(lone, nvlink_chip()).switch_count() == 1);
}

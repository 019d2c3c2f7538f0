// A cluster of several kinds of server: "cluster:pool" is one pool as a cluster of its own, and
// a pool that is badly written is refused at its line.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_exception.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/catalog.hpp"
#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cluster/pooled_cluster.hpp"
#include "topology/graph.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::config::Catalog;
using kcsim::config::Cluster;
using kcsim::config::LoadedFile;

namespace {

Catalog catalog() { return Catalog(KCSIM_SOURCE_DIR "/configs"); }

// The error pool_cluster gives for a cluster file's text.
std::string pool_error(const std::string& text, const std::string& pool = "a") {
  Cluster cluster;
  auto file = LoadedFile::parse_text(text, "mixed.textproto", &cluster);
  auto cat = catalog();
  try {
    kcsim::config::pool_cluster(cat.cluster_lookup(), cluster, pool, file);
  } catch (const kcsim::InputError& e) {
    return e.what();
  }
  return "";
}

const std::string kNetwork = "scale_out { kind: \"fat-tree\" nic_bandwidth_gbit_per_s: 200 }\n";

}  // namespace

TEST_CASE("a pool is its servers' cluster at the pool's size on the mixed cluster's network",
          "[configs][pools]") {
  auto cat = catalog();
  Cluster h100 = cat.cluster("kcloud-mixed:h100");
  Cluster dgx = cat.cluster("dgx-h100");
  CHECK(h100.name() == "kcloud-mixed:h100");
  CHECK(h100.pools_size() == 0);
  CHECK(h100.nodes() == 16);
  CHECK(h100.node().SerializeAsString() == dgx.node().SerializeAsString());
  CHECK(h100.scale_out().nic_bandwidth_gbit_per_s() == 400);  // the DGX's rate per GPU
  CHECK(h100.scale_out().latency_ns() == 2000);
  Cluster rngd = cat.cluster("kcloud-mixed:rngd");
  CHECK(rngd.node().chip() == "rngd");
  CHECK(rngd.scale_out().nic_bandwidth_gbit_per_s() == 100);
  CHECK(rngd.facility().SerializeAsString() ==
        cat.cluster("kcloud-mixed").facility().SerializeAsString());

  CHECK_THROWS_MATCHES(cat.cluster("kcloud-mixed:tpu"), kcsim::InputError,
                       Catch::Matchers::MessageMatches(
                           ContainsSubstring("no pool \"tpu\"; its pools: h100, rngd, atom")));
  CHECK_THROWS_MATCHES(cat.cluster("dgx-h100:gpus"), kcsim::InputError,
                       Catch::Matchers::MessageMatches(ContainsSubstring("has no pools")));
}

TEST_CASE("a job cannot run on a cluster of pools as a whole: it is told to name a pool",
          "[configs][pools]") {
  auto cat = catalog();
  CHECK_THROWS_MATCHES(
      kcsim::resolve_cluster(cat.cluster("kcloud-mixed"), cat), kcsim::InputError,
      Catch::Matchers::MessageMatches(ContainsSubstring("made of pools (h100, rngd, atom)") &&
                                      ContainsSubstring("\"kcloud-mixed:h100\"")));
  auto whole = kcsim::resolve_pooled_cluster(cat.cluster("kcloud-mixed"), cat);
  REQUIRE(whole.pools.size() == 3);
  CHECK(whole.devices() == 16 * 8 + 64 * 8 + 32 * 8);
  double sum = 0;
  for (const auto& pool : whole.pools) sum += pool.peak_it_power_w();
  CHECK(whole.peak_it_power_w() == sum);
  CHECK(whole.topology->device_count() == static_cast<size_t>(whole.devices()));
}

TEST_CASE("badly written pools are refused at their line", "[configs][pools]") {
  const std::string pool_a = "pools { name: \"a\" servers: \"dgx-h100\" nodes: 2 }\n";
  CHECK_THAT(pool_error("name: \"m\"\nnodes: 2\n" + pool_a + kNetwork),
             ContainsSubstring("mixed.textproto:2:1: nodes: a cluster of pools"));
  CHECK_THAT(pool_error("name: \"m\"\n" + pool_a + pool_a + kNetwork),
             ContainsSubstring("mixed.textproto:3:9: pools[1].name: a second pool named \"a\""));
  CHECK_THAT(pool_error("name: \"m\"\npools { name: \"a\" nodes: 2 }\n" + kNetwork),
             ContainsSubstring("pools[0].servers: give the pool's server"));
  CHECK_THAT(pool_error("name: \"m\"\npools { name: \"a\" servers: \"dgx-h100\" }\n" + kNetwork),
             ContainsSubstring("pools[0].nodes: how many servers"));
  CHECK_THAT(pool_error("name: \"m\"\npools { name: \"a b\" servers: \"dgx-h100\" nodes: 1 }\n" +
                        kNetwork),
             ContainsSubstring("is not a pool name"));
  CHECK_THAT(pool_error("name: \"m\"\npools { name: \"a\" servers: \"kcloud-mixed\" nodes: 1 }\n" +
                        kNetwork),
             ContainsSubstring("is a cluster of pools"));
  CHECK_THAT(
      pool_error("name: \"m\"\npools { name: \"a\" servers: \"dgx-h1000\" nodes: 1 }\n" + kNetwork),
      ContainsSubstring("mixed.textproto:2:19: cluster: unknown cluster \"dgx-h1000\""));
  CHECK_THAT(pool_error("name: \"m\"\n" + pool_a +
                        "scale_out { kind: \"rail-optimized\" nic_bandwidth_gbit_per_s: 200 }\n"),
             ContainsSubstring("scale_out.kind: pools are joined by a fat-tree"));
  // A pool written out in full takes the cluster's NIC rate unless it gives its own.
  Cluster cluster;
  auto file = LoadedFile::parse_text(
      "name: \"m\"\npools { name: \"a\" node { chip: \"rngd\" devices_per_node: 8 fabric: PCIE } "
      "nodes: 3 }\npools { name: \"b\" servers: \"rngd-server\" nodes: 1 "
      "nic_bandwidth_gbit_per_s: 25 }\n" +
          kNetwork,
      "mixed.textproto", &cluster);
  auto cat = catalog();
  auto pools = kcsim::config::pool_clusters(cat.cluster_lookup(), cluster, file);
  REQUIRE(pools.size() == 2);
  CHECK(pools[0].name() == "m:a");
  CHECK(pools[0].nodes() == 3);
  CHECK(pools[0].scale_out().nic_bandwidth_gbit_per_s() == 200);
  CHECK(pools[1].scale_out().nic_bandwidth_gbit_per_s() == 25);
}

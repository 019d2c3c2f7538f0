// Every catalog model's parameter count against the size its authors publish.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <vector>

#include "configs/loader/catalog.hpp"
#include "workloads/model_shape.hpp"

TEST_CASE("catalog models are within 2 % of their published size", "[workloads][catalog]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  auto names = catalog.names("models");
  REQUIRE(names.size() >= 13);
  for (const auto& name : names) {
    INFO(name);
    auto config = catalog.model(name);
    REQUIRE(config.has_published_params_b());
    auto shape = kcsim::ModelShape::from_config(config);
    CHECK_THAT(kcsim::parameter_count(shape) / 1e9,
               Catch::Matchers::WithinRel(config.published_params_b(), 0.02));
  }
}

TEST_CASE("every catalog chip and cluster loads and has sources", "[configs][catalog]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  REQUIRE(catalog.names("chips").size() >= 10);
  for (const auto& name : catalog.names("chips")) {
    INFO(name);
    auto chip = catalog.chip(name);
    for (const auto& peak : chip.peak()) CHECK(peak.has_source());
    CHECK(chip.memory().has_source());
    CHECK(chip.power().has_source());
    CHECK(chip.efficiency().has_source());
  }
  for (const auto& name : catalog.names("clusters")) {
    INFO(name);
    auto cluster = catalog.cluster(name);
    std::vector<kcsim::config::Cluster> servers;
    // A cluster of several kinds of server: each pool's server, as a job on it sees it.
    for (const auto& pool : cluster.pools())
      servers.push_back(catalog.cluster(name + ":" + pool.name()));
    if (cluster.pools_size() == 0) servers.push_back(cluster);
    for (const auto& one : servers) {
      CHECK(one.node().has_source());
      CHECK_FALSE(one.node().chip().empty());
      CHECK(one.scale_out().has_source());
    }
  }
}

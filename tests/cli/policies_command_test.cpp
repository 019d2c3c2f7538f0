// `kcsim policies` lists what the registries hold, and every name it lists is one the commands
// take: a scheduler, a router or a collective algorithm added to its registry shows up here and
// runs.
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"

using kcsim::test::run_kcsim;

TEST_CASE("kcsim policies lists names the commands take", "[cli]") {
  auto listed = run_kcsim("policies --json");
  REQUIRE(listed.exit_code == 0);
  auto j = nlohmann::json::parse(listed.out);
  REQUIRE(j["schedulers"].size() >= 4);
  REQUIRE(j["routers"].size() >= 3);
  REQUIRE(j["collective_algorithms"].size() >= 3);

  const std::string serve =
      "serve --model llama3-8b --chip h100-sxm --tp 1 --replicas 2 --rate 20 --requests 6 --json ";
  for (const auto& entry : j["schedulers"]) {
    std::string name = entry["name"];
    INFO("scheduler " << name);
    CHECK_FALSE(entry["summary"].get<std::string>().empty());
    CHECK(run_kcsim(serve + "--scheduler " + name).exit_code == 0);
  }
  for (const auto& entry : j["routers"]) {
    std::string name = entry["name"];
    INFO("router " << name);
    CHECK(run_kcsim(serve + "--router " + name).exit_code == 0);
  }
  int in_auto = 0;
  for (const auto& entry : j["collective_algorithms"]) {
    std::string name = entry["name"];
    INFO("algorithm " << name);
    in_auto += entry["in_auto"].get<bool>() ? 1 : 0;
    CHECK(run_kcsim("train --model megatron-1.7b --chip a100-80g --devices 32 --tp 2 "
                    "--global-batch 64 --collective-algorithm " +
                    name)
              .exit_code == 0);
  }
  CHECK(in_auto >= 1);
  CHECK(run_kcsim("serve --model llama3-8b --chip h100-sxm --rate 5 --requests 2 --scheduler fifo")
            .exit_code == 2);
}

// The command-line contract: JSON keys with units, the demo, determinism.
#include <filesystem>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::EndsWith;
using kcsim::test::run_kcsim;

TEST_CASE("train --json carries the contract's keys", "[cli]") {
  auto r = run_kcsim(
      "train --model megatron-22b --chip a100-80g --devices 8 --tp 8 --global-batch 4 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"iteration_time_s", "tokens_per_s", "model_tflops_per_device", "mfu",
                          "memory_per_device_gib", "energy_per_iteration_j", "avg_it_power_w"}) {
    INFO(key);
    CHECK(j.contains(key));
    CHECK(j[key].get<double>() > 0);
  }
  CHECK(j["dp"] == 1);
}

TEST_CASE("serve --json carries the contract's keys", "[cli]") {
  auto r = run_kcsim("serve --model llama2-70b --chip h100-sxm --tp 8 --batch-size 4 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"ttft_s", "tpot_s", "throughput_output_tokens_per_s", "max_batch_by_kv",
                          "energy_per_output_token_j", "avg_it_power_w"}) {
    INFO(key);
    CHECK(j.contains(key));
    CHECK(j[key].get<double>() > 0);
  }
}

TEST_CASE("shape flags change the model and its parameter count", "[cli]") {
  auto base = nlohmann::json::parse(
      run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --json").out);
  auto r = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --layers 16 --json");
  REQUIRE(r.exit_code == 0);
  auto half = nlohmann::json::parse(r.out);
  CHECK(half["parameters"].get<double>() < 0.6 * base["parameters"].get<double>());
  CHECK(half["tpot_s"].get<double>() < base["tpot_s"].get<double>());
}

TEST_CASE("the same input prints the same bytes", "[cli]") {
  auto a = run_kcsim("--json");
  auto b = run_kcsim("--json");
  REQUIRE(a.exit_code == 0);
  CHECK(a.out == b.out);
}

TEST_CASE("the demo compares GPUs and NPUs at equal power", "[cli]") {
  auto r = run_kcsim("");
  REQUIRE(r.exit_code == 0);
  for (const char* chip : {"a100-80g", "h100-sxm", "rngd", "atom"}) {
    CHECK_THAT(r.out, ContainsSubstring(chip));
  }
  CHECK_THAT(r.out, ContainsSubstring("tok/s per kW"));
  CHECK_THAT(r.out, ContainsSubstring("J/token"));
}

TEST_CASE("chips and models list the catalogs", "[cli]") {
  auto chips = run_kcsim("chips --json");
  REQUIRE(chips.exit_code == 0);
  auto j = nlohmann::json::parse(chips.out);
  CHECK(j["chips"].size() >= 10);
  for (const auto& chip : j["chips"]) {
    INFO(chip["name"]);
    CHECK(chip["memory"].contains("source"));
    CHECK(chip["power"].contains("source"));
  }
  auto table = run_kcsim("chips");
  REQUIRE(table.exit_code == 0);
  // The trains column: a GPU (and its board variants) yes, an inference NPU no.
  auto row_of = [&](const std::string& chip) {
    auto at = table.out.find("\n" + chip + " ");
    return at == std::string::npos ? std::string()
                                   : table.out.substr(at + 1, table.out.find('\n', at + 1) - at - 1);
  };
  CHECK_THAT(row_of("h200-sxm"), EndsWith(" yes"));
  CHECK_THAT(row_of("rngd"), EndsWith(" no"));
  auto models = run_kcsim("models");
  REQUIRE(models.exit_code == 0);
  CHECK_THAT(models.out, ContainsSubstring("mixtral-8x7b"));
}

TEST_CASE("every subcommand has help", "[cli]") {
  for (const char* cmd : {"run", "train", "serve", "chips", "models", "validate", "topo", "replay",
                          "export-chakra"}) {
    INFO(cmd);
    auto r = run_kcsim(std::string(cmd) + " --help");
    CHECK(r.exit_code == 0);
    CHECK_FALSE(r.out.empty());
  }
}

TEST_CASE("topo describes a catalog cluster as a graph", "[cli][topology]") {
  auto r = run_kcsim("topo dgx-a100 --nodes 4 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["devices"] == 32);
  CHECK(j["diameter_hops"].get<int>() >= 2);
  // Half of 32 devices, each with a 200 Gb/s NIC, cross the cut of a non-blocking network.
  CHECK(j["bisection_bandwidth_gb_per_s"].get<double>() == 16 * 25.0);
  CHECK(run_kcsim("topo no-such-cluster").exit_code == 2);
}

TEST_CASE("train --engine event prints the network model and the busiest links", "[cli][event]") {
  auto r = run_kcsim(
      "train --model megatron-22b --chip a100-80g --devices 16 --tp 8 --global-batch 8 "
      "--engine event --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["engine"] == "event");
  CHECK(j["network_model"] == "CM02");
  CHECK(j["busiest_links"].size() > 0);
  CHECK(run_kcsim("train --model megatron-22b --chip a100-80g --devices 8 --tp 8 "
                  "--global-batch 8 --straggler 3:x --engine event").exit_code == 2);
  CHECK(run_kcsim("train --model megatron-22b --chip a100-80g --devices 8 --tp 8 "
                  "--global-batch 8 --straggler 3:1.5").exit_code == 2);
}

TEST_CASE("export-chakra writes traces that replay names back", "[cli][chakra]") {
  auto folder = std::filesystem::path(kcsim::test::write_temp_file("export-marker", "")).parent_path();
  auto prefix = (folder / "exported-plan").string();
  auto written = run_kcsim("export-chakra --model megatron-1.7b --chip a100-80g --devices 8 --tp 2 "
                           "--pp 2 --global-batch 8 --json --out " + prefix);
  REQUIRE(written.exit_code == 0);
  auto summary = nlohmann::json::parse(written.out);
  CHECK(summary.at("ranks") == 8);
  CHECK(std::filesystem::exists(prefix + ".7.et"));
  auto replayed = run_kcsim("replay " + prefix + " --cluster dgx-a100 --json");
  REQUIRE(replayed.exit_code == 0);
  CHECK(nlohmann::json::parse(replayed.out).at("ranks") == 8);
  CHECK(nlohmann::json::parse(replayed.out).at("energy_j").get<double>() > 0);
}

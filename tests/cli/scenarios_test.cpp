// Every scenario shipped in configs/scenarios/ runs, as text and as JSON, and a JSON scenario
// reads the same as its text twin.
#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "configs/loader/catalog.hpp"
#include "tests/support/run_kcsim.hpp"

using kcsim::test::run_kcsim;

TEST_CASE("every shipped scenario runs", "[cli][scenarios]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  auto files = catalog.files("scenarios");
  REQUIRE_FALSE(files.empty());
  for (const auto& file : files) {
    INFO(file.string());
    auto text = run_kcsim("run " + file.string());
    CHECK(text.exit_code == 0);
    // Nothing from kcsim on standard error (a sanitizer build may warn there about SimGrid's
    // stack switching).
    CHECK(text.err.find("kcsim:") == std::string::npos);
    auto json = run_kcsim("run " + file.string() + " --json");
    REQUIRE(json.exit_code == 0);
    CHECK_NOTHROW(nlohmann::json::parse(json.out));
  }
}

TEST_CASE("a JSON scenario gives what its textproto twin gives", "[cli][scenarios]") {
  auto textproto = kcsim::test::write_temp_file(
      "twin.textproto",
      "name: \"twin\"\ncluster_names: \"dgx-h100\"\n"
      "serving { model: \"llama3-8b\" tp: 1 batch_size: 8 }\n");
  auto json = kcsim::test::write_temp_file(
      "twin.json",
      R"({"name": "twin", "cluster_names": ["dgx-h100"],
          "serving": {"model": "llama3-8b", "tp": 1, "batch_size": 8}})");
  auto a = run_kcsim("run " + textproto + " --json");
  auto b = run_kcsim("run " + json + " --json");
  REQUIRE(a.exit_code == 0);
  CHECK(a.out == b.out);
}

TEST_CASE("a catalog override changes the result", "[cli][scenarios]") {
  auto capped = nlohmann::json::parse(
      run_kcsim("run " KCSIM_SOURCE_DIR "/configs/scenarios/rngd-150w.textproto --json").out);
  auto run = capped["runs"][0]["serving"];
  CHECK(run["avg_device_power_w"].get<double>() <= 150.0);
}

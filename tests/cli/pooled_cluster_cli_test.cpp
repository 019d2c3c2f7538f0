// A cluster of several kinds of server from the command line: `kcsim topo` shows its pools, a
// job names the pool it runs on, and a pool runs as the cluster of its servers alone.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
using kcsim::test::write_temp_file;

TEST_CASE("kcsim topo shows a mixed cluster's pools and the network joining them", "[cli][pools]") {
  auto text = run_kcsim("topo kcloud-mixed");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, ContainsSubstring("kcloud-mixed: 3 pools on one fat-tree network"));
  CHECK_THAT(text.out, ContainsSubstring("pool h100"));
  CHECK_THAT(text.out, ContainsSubstring("16 servers of 8 x h100-sxm (NVSWITCH), 400 Gb/s"));
  CHECK_THAT(text.out, ContainsSubstring("64 servers of 8 x rngd (PCIE), 100 Gb/s"));
  CHECK_THAT(text.out, ContainsSubstring("A job runs on one pool: name it as kcloud-mixed:h100"));

  auto json = run_kcsim("topo kcloud-mixed --json");
  REQUIRE(json.exit_code == 0);
  auto j = nlohmann::json::parse(json.out);
  REQUIRE(j.at("pools").size() == 3);
  CHECK(j.at("devices") == 16 * 8 + 64 * 8 + 32 * 8);
  double pools_kw = 0;
  int pool_devices = 0;
  for (const auto& pool : j.at("pools")) {
    pools_kw += pool.at("peak_it_power_kw").get<double>();
    pool_devices += pool.at("devices").get<int>();
  }
  CHECK(pool_devices == j.at("devices").get<int>());
  CHECK(pools_kw == j.at("peak_it_power_kw").get<double>());

  auto one = run_kcsim("topo kcloud-mixed:rngd --json");
  REQUIRE(one.exit_code == 0);
  auto o = nlohmann::json::parse(one.out);
  CHECK(o.at("chip") == "rngd");
  CHECK(o.at("devices") == 512);

  auto nodes = run_kcsim("topo kcloud-mixed --nodes 4");
  CHECK(nodes.exit_code == 2);
  CHECK_THAT(nodes.err, ContainsSubstring("each pool's count is in its cluster file"));
}

TEST_CASE("a job on a mixed cluster names its pool", "[cli][pools]") {
  auto whole =
      run_kcsim("serve --model llama3-8b --cluster kcloud-mixed --tp 1 --batch-size 8 --json");
  CHECK(whole.exit_code == 2);
  CHECK_THAT(whole.err, ContainsSubstring("is made of pools (h100, rngd, atom)"));
  CHECK_THAT(whole.err, ContainsSubstring("\"kcloud-mixed:h100\""));
  auto unknown =
      run_kcsim("serve --model llama3-8b --cluster kcloud-mixed:tpu --tp 1 --batch-size 8 --json");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, ContainsSubstring("no pool \"tpu\""));
}

TEST_CASE("a pool runs as the cluster of its servers alone in every scenario run", "[cli][pools]") {
  auto path = write_temp_file(
      "pool-vs-alone.textproto",
      "name: \"p\"\ncluster_names: \"kcloud-mixed:rngd\"\n"
      "cluster_refs { catalog: \"rngd-server\" nodes: 64 name: \"alone\" }\n"
      "serving {\n  model: \"llama3-8b\"\n  allow_equivalent_dtype: true\n  batch_size: 16\n"
      "  prompt_tokens: 512\n  output_tokens: 128\n}\n");
  auto run = run_kcsim("run " + path + " --json");
  REQUIRE(run.exit_code == 0);
  auto j = nlohmann::json::parse(run.out);
  const auto& runs = j.at("runs");
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].at("cluster") == "kcloud-mixed:rngd");
  auto pool = runs[0].at("serving");
  auto alone = runs[1].at("serving");
  pool.erase("cluster");
  alone.erase("cluster");
  CHECK(pool.dump() == alone.dump());

  // A whole mixed cluster in a scenario runs the job on each pool; the NPU pools cannot train.
  auto mixed = write_temp_file(
      "mixed-train.textproto",
      "name: \"m\"\ncluster_names: \"kcloud-mixed\"\n"
      "training {\n  model: \"llama3-8b\"\n  global_batch: 64\n  allow_equivalent_dtype: true\n"
      "  auto_plan: true\n}\n");
  auto trained = run_kcsim("run " + mixed + " --json");
  REQUIRE(trained.exit_code == 0);
  auto t = nlohmann::json::parse(trained.out);
  REQUIRE(t.at("runs").size() == 3);
  CHECK(t.at("runs")[0].at("cluster") == "kcloud-mixed:h100");
  CHECK(t.at("runs")[0].contains("training"));
  CHECK(t.at("runs")[1].at("cluster") == "kcloud-mixed:rngd");
  CHECK_THAT(t.at("runs")[1].at("training_error").get<std::string>(), ContainsSubstring("rngd"));
  CHECK(t.at("runs")[2].at("cluster") == "kcloud-mixed:atom");

  // A server count belongs to one pool.
  auto counted = write_temp_file(
      "mixed-nodes.textproto",
      "name: \"m\"\ncluster_refs { catalog: \"kcloud-mixed\" nodes: 4 }\n"
      "serving {\n  model: \"llama3-8b\"\n  allow_equivalent_dtype: true\n  batch_size: 8\n}\n");
  auto refused = run_kcsim("run " + counted + " --json");
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, ContainsSubstring("mixed-nodes.textproto:2:"));
  CHECK_THAT(refused.err, ContainsSubstring("name it as \"kcloud-mixed:h100\""));
}

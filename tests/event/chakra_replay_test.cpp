// The Chakra sample replayed on the network it was made for, and traces that cannot run.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/engines/event/chakra_replay.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

const std::string kData = KCSIM_SOURCE_DIR "/tests/data/chakra-dp16/";

ClusterModel sample_network(int nodes = 2) {
  config::Cluster cluster;
  config::LoadedFile::parse(kData + "cluster.textproto", &cluster);
  cluster.set_nodes(nodes);
  return resolve_cluster(cluster, test::catalog());
}

chakra::Node p2p(uint64_t id, chakra::NodeType type, int src, int dst) {
  chakra::Node node;
  node.set_id(id);
  node.set_type(type);
  for (auto [name, value] : {std::pair{"comm_src", src}, {"comm_dst", dst}, {"comm_size", 1 << 20}}) {
    auto* attr = node.add_attr();
    attr->set_name(name);
    attr->set_int64_val(value);
  }
  return node;
}

}  // namespace

TEST_CASE("the dp16 sample replays within 5 % of ASTRA-sim's 72.4 ms", "[event][chakra]") {
  auto traces = read_chakra_traces(kData + "w");
  auto result = replay_chakra(traces, sample_network(), "dp16");
  CHECK(result.ranks == 16);
  CHECK_THAT(result.step_time_s, WithinRel(72.43e-3, 0.05));
  for (const auto& rank : result.rank_times) {
    CHECK_THAT(rank.compute_s, WithinRel(72e-3, 1e-9));  // 24 x 1 ms + 24 x 2 ms
    // What shows beyond compute is the last all-reduce, which nothing can hide.
    CHECK(rank.exposed_comm_s > 0);
    CHECK(rank.exposed_comm_s < 2e-3);
  }
}

TEST_CASE("a trace that does not fit the cluster, or whose sends go unanswered, is refused",
          "[event][chakra]") {
  auto traces = read_chakra_traces(kData + "w");
  auto small = sample_network(1);
  CHECK_THROWS_WITH(replay_chakra(traces, small, "dp16"), ContainsSubstring("16 ranks"));

  ChakraTrace a, b;
  a.rank = 0;
  a.file = "x.0.et";
  a.nodes = {p2p(1, chakra::COMM_SEND_NODE, 0, 1)};
  b.rank = 1;
  b.file = "x.1.et";
  CHECK_THROWS_WITH(replay_chakra({a, b}, sample_network(), "x"),
                    ContainsSubstring("x.0.et: rank 0: node 1: send 0 -> 1 tag 0 has no matching receive"));
  b.nodes = {p2p(7, chakra::COMM_RECV_NODE, 0, 1)};
  auto matched = replay_chakra({a, b}, sample_network(), "x");
  CHECK(matched.step_time_s > 0);
}

TEST_CASE("the replay's power track integrates to the devices' energy", "[event][chakra][trace]") {
  auto traces = read_chakra_traces(kData + "w");
  auto path = std::filesystem::temp_directory_path() / "kcsim-replay-power-test.json";
  std::filesystem::remove(path);
  auto result = replay_chakra(traces, sample_network(), "dp16", path.string());
  std::ifstream in(path);
  auto trace = nlohmann::json::parse(in);
  // Each device's "power" counter as steps (time in us, W), integrated to the end of the step.
  std::map<int, std::vector<std::pair<double, double>>> steps;
  for (const auto& event : trace["traceEvents"]) {
    if (event["ph"] == "C" && event["name"] == "power") {
      steps[event["pid"].get<int>()].emplace_back(event["ts"].get<double>(),
                                                  event["args"]["W"].get<double>());
    }
  }
  REQUIRE(steps.size() == 16);
  double joules = 0;
  for (auto& [pid, samples] : steps) {
    std::stable_sort(samples.begin(), samples.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t k = 0; k < samples.size(); ++k) {
      double end_us = k + 1 < samples.size() ? samples[k + 1].first : result.step_time_s * 1e6;
      joules += samples[k].second * (end_us - samples[k].first) * 1e-6;
    }
  }
  // The picture draws what the report counts: each node's own power while it runs, the
  // held-idle floor otherwise (the trace's times are rounded to nanoseconds).
  CHECK_THAT(joules, WithinRel(result.energy.device_j, 1e-6));
  std::filesystem::remove(path);
}

// `kcsim replay` as a user runs it: ranks that deadlock end with exit 2 and the trace's own
// names (not the engine's dump), and the JSON carries only keys that mean something for a trace.
#include <filesystem>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"
#include "workloads/chakra_trace.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
namespace chakra = kcsim::chakra;

namespace {

const std::string kCluster = KCSIM_SOURCE_DIR "/tests/data/chakra-dp16/cluster.textproto";

chakra::Node p2p(uint64_t id, chakra::NodeType type, int src, int dst,
                 std::vector<uint64_t> deps = {}) {
  chakra::Node node;
  node.set_id(id);
  node.set_type(type);
  for (auto dep : deps) node.add_data_deps(dep);
  for (auto [name, value] : {std::pair{"comm_src", src}, {"comm_dst", dst}, {"comm_size", 4096}}) {
    auto* attr = node.add_attr();
    attr->set_name(name);
    attr->set_int64_val(value);
  }
  return node;
}

std::string write_trace(const std::string& name,
                        const std::vector<std::vector<chakra::Node>>& ranks) {
  auto dir = std::filesystem::temp_directory_path() / "kcsim-replay-command-test";
  std::filesystem::create_directories(dir);
  chakra::GlobalMetadata metadata;
  metadata.set_version("0.0.4");
  for (size_t r = 0; r < ranks.size(); ++r) {
    kcsim::write_chakra_file(dir / (name + "." + std::to_string(r) + ".et"), metadata, ranks[r]);
  }
  return (dir / name).string();
}

}  // namespace

TEST_CASE("replay of ranks that deadlock exits 2 naming the file, rank and node",
          "[cli][chakra][errors]") {
  auto prefix = write_trace(
      "deadlock",
      {{p2p(1, chakra::COMM_RECV_NODE, 1, 0), p2p(2, chakra::COMM_SEND_NODE, 0, 1, {1})},
       {p2p(1, chakra::COMM_RECV_NODE, 0, 1), p2p(2, chakra::COMM_SEND_NODE, 1, 0, {1})}});
  auto r = run_kcsim("replay " + prefix + " --cluster " + kCluster + " --json");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, ContainsSubstring(prefix + ".0.et: rank 0: node 1 (COMM_RECV_NODE)"));
  CHECK_THAT(r.err, !ContainsSubstring("Deadlock detected"));
}

TEST_CASE("replay JSON has no per-token keys", "[cli][chakra]") {
  auto prefix = write_trace(
      "pair", {{p2p(1, chakra::COMM_SEND_NODE, 0, 1)}, {p2p(1, chakra::COMM_RECV_NODE, 0, 1)}});
  auto r = run_kcsim("replay " + prefix + " --cluster " + kCluster + " --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("step_time_s").get<double>() > 0);
  CHECK(j.at("energy_j").get<double>() > 0);
  CHECK_FALSE(j.contains("tokens_per_kwh"));
}

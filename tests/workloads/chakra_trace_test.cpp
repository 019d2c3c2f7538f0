// Reading the Chakra sample (made with the Chakra project's own encoder) and rejecting bad traces
// with the file, rank and node named.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "workloads/chakra_trace.hpp"

using Catch::Matchers::ContainsSubstring;
using namespace kcsim;

namespace {

const std::string kSample = KCSIM_SOURCE_DIR "/tests/data/chakra-dp16/w";

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "kcsim-chakra-test";
  std::filesystem::create_directories(dir);
  return dir / name;
}

chakra::Node node(uint64_t id, chakra::NodeType type, std::vector<uint64_t> deps = {}) {
  chakra::Node n;
  n.set_id(id);
  n.set_name("n" + std::to_string(id));
  n.set_type(type);
  n.set_duration_micros(10);
  for (auto dep : deps) n.add_data_deps(dep);
  return n;
}

std::string error_reading(const std::vector<chakra::Node>& nodes, const std::string& name) {
  auto path = scratch(name);
  chakra::GlobalMetadata metadata;
  metadata.set_version("0.0.4");
  write_chakra_file(path, metadata, nodes);
  try {
    read_chakra_file(path, 3);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the dp16 sample reads as the Chakra encoder wrote it", "[workloads][chakra]") {
  auto traces = read_chakra_traces(kSample);
  REQUIRE(traces.size() == 16);
  const auto& rank0 = traces[0];
  CHECK(rank0.metadata.version() == "0.0.4");
  REQUIRE(rank0.nodes.size() == 72);
  int forward = 0, backward = 0, collectives = 0;
  for (const auto& n : rank0.nodes) {
    if (n.type() == chakra::COMP_NODE && n.duration_micros() == 1000) ++forward;
    if (n.type() == chakra::COMP_NODE && n.duration_micros() == 2000) ++backward;
    if (n.type() == chakra::COMM_COLL_NODE) {
      ++collectives;
      CHECK(chakra_int_attribute(n, "comm_type") == chakra::ALL_REDUCE);
      CHECK(chakra_int_attribute(n, "comm_size") == 67108864);
      CHECK(n.data_deps_size() == 1);
    }
  }
  CHECK(forward == 24);
  CHECK(backward == 24);
  CHECK(collectives == 24);
  CHECK(chakra_int_attribute(rank0.nodes[0], "is_cpu_op") == 0);
  CHECK_FALSE(chakra_int_attribute(rank0.nodes[0], "num_ops").has_value());
}

TEST_CASE("a written trace reads back the same", "[workloads][chakra]") {
  auto original = read_chakra_file(kSample + ".5.et", 5);
  auto path = scratch("copy.0.et");
  write_chakra_file(path, original.metadata, original.nodes);
  auto copy = read_chakra_file(path, 0);
  REQUIRE(copy.nodes.size() == original.nodes.size());
  for (size_t i = 0; i < copy.nodes.size(); ++i) {
    CHECK(copy.nodes[i].SerializeAsString() == original.nodes[i].SerializeAsString());
  }
  std::ifstream a(kSample + ".5.et", std::ios::binary), b(path, std::ios::binary);
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  CHECK(sa.str() == sb.str());
}

TEST_CASE("a truncated stream names the file, the rank and where it broke", "[workloads][chakra]") {
  std::ifstream in(kSample + ".0.et", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto path = scratch("truncated.et");
  std::ofstream(path, std::ios::binary) << bytes.str().substr(0, bytes.str().size() - 7);
  try {
    read_chakra_file(path, 7);
    FAIL("no error");
  } catch (const InputError& e) {
    std::string what = e.what();
    CHECK_THAT(what, ContainsSubstring("truncated.et: rank 7"));
    CHECK_THAT(what, ContainsSubstring("after node 70"));
  }
}

TEST_CASE("bad graphs are rejected with the node named", "[workloads][chakra]") {
  using chakra::COMP_NODE;
  CHECK_THAT(error_reading({node(1, COMP_NODE), node(2, static_cast<chakra::NodeType>(42))}, "t.et"),
             ContainsSubstring("rank 3: node 2: unknown node type 42"));
  CHECK_THAT(error_reading({node(1, COMP_NODE), node(2, COMP_NODE, {9})}, "d.et"),
             ContainsSubstring("d.et: rank 3: node 2: depends on node 9"));
  CHECK_THAT(
      error_reading({node(1, COMP_NODE, {3}), node(2, COMP_NODE, {1}), node(3, COMP_NODE, {2})},
                    "c.et"),
      ContainsSubstring("c.et: rank 3: node 1: lies on a dependency cycle"));
  // A cycle closed by a control dependency is one too.
  auto ctrl = node(3, COMP_NODE);
  ctrl.add_ctrl_deps(2);
  CHECK_THAT(error_reading({node(1, COMP_NODE, {3}), node(2, COMP_NODE, {1}), ctrl}, "k.et"),
             ContainsSubstring("k.et: rank 3: node 1: lies on a dependency cycle"));
  CHECK_THAT(error_reading({node(1, COMP_NODE), node(1, COMP_NODE)}, "u.et"),
             ContainsSubstring("node 1: duplicate id"));
  CHECK_THROWS_AS(read_chakra_traces("/nonexistent/prefix"), InputError);
}

TEST_CASE("a missing rank file between two that exist is named", "[workloads][chakra]") {
  auto dir = std::filesystem::temp_directory_path() / "kcsim-chakra-gap-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  chakra::GlobalMetadata metadata;
  metadata.set_version("0.0.4");
  for (int rank : {0, 2}) {
    write_chakra_file(dir / ("gap." + std::to_string(rank) + ".et"), metadata,
                      {node(1, chakra::COMP_NODE)});
  }
  auto prefix = (dir / "gap").string();
  CHECK_THROWS_WITH(
      read_chakra_traces(prefix),
      ContainsSubstring(prefix + ".1.et: trace: no such file, but " + prefix + ".2.et exists"));
  // Another prefix's files in the same folder do not count.
  std::filesystem::remove(dir / "gap.2.et");
  write_chakra_file(dir / "gapped.2.et", metadata, {node(1, chakra::COMP_NODE)});
  CHECK(read_chakra_traces(prefix).size() == 1);
  std::filesystem::remove_all(dir);
}

// Which ranks each Chakra collective spans: process groups by name, network dimensions, and
// groups whose members disagree on how many collectives they run.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "workloads/chakra_groups.hpp"

using Catch::Matchers::ContainsSubstring;
using namespace kcsim;

namespace {

chakra::Node collective(uint64_t id) {
  chakra::Node node;
  node.set_id(id);
  node.set_type(chakra::COMM_COLL_NODE);
  return node;
}

chakra::Node in_group(uint64_t id, const std::string& pg) {
  auto node = collective(id);
  auto* attr = node.add_attr();
  attr->set_name("pg_name");
  attr->set_string_val(pg);
  return node;
}

chakra::Node over_dims(uint64_t id, std::vector<bool> dims) {
  auto node = collective(id);
  auto* attr = node.add_attr();
  attr->set_name("involved_dim");
  for (bool d : dims) attr->mutable_bool_list()->add_values(d);
  return node;
}

std::vector<ChakraTrace> ranks(int n) {
  std::vector<ChakraTrace> traces(n);
  for (int r = 0; r < n; ++r) {
    traces[r].rank = r;
    traces[r].file = "t." + std::to_string(r) + ".et";
  }
  return traces;
}

const ChakraGroup& group_of(const ChakraGroups& groups, int rank, uint64_t node) {
  return groups.groups[groups.of_node[rank].at(node)];
}

}  // namespace

TEST_CASE("a process group is the ranks whose traces name it", "[chakra][groups]") {
  auto traces = ranks(8);
  for (int r = 0; r < 8; ++r) traces[r].nodes = {in_group(1, r % 2 ? "odd" : "even")};
  auto groups = resolve_chakra_groups(traces, 4);
  REQUIRE(groups.groups.size() == 2);
  CHECK(group_of(groups, 3, 1).members == std::vector<int>{1, 3, 5, 7});
  CHECK(group_of(groups, 6, 1).members == std::vector<int>{0, 2, 4, 6});
  CHECK(group_of(groups, 6, 1).per_node == 2);  // ranks 0 and 2 share the first server
}

TEST_CASE("involved_dim picks the server or the same slot across servers", "[chakra][groups]") {
  auto traces = ranks(8);
  for (int r = 0; r < 8; ++r) {
    traces[r].nodes = {over_dims(1, {true, false}), over_dims(2, {false, true}),
                       over_dims(3, {true, true}), collective(4)};
  }
  auto groups = resolve_chakra_groups(traces, 4);
  CHECK(group_of(groups, 5, 1).members == std::vector<int>{4, 5, 6, 7});
  CHECK(group_of(groups, 5, 1).per_node == 4);
  CHECK(group_of(groups, 5, 2).members == std::vector<int>{1, 5});
  CHECK(group_of(groups, 5, 2).per_node == 1);
  CHECK(group_of(groups, 5, 3).members.size() == 8);
  CHECK(groups.of_node[5].at(3) == groups.of_node[5].at(4));  // both span every rank
}

TEST_CASE("involved_dim follows the network's levels: server, leaf, beyond", "[chakra][groups]") {
  // 16 ranks, 2 per server, 2 servers under each leaf switch: 4 leaves. Rank 5 is slot 1 of
  // server 2, the first server of leaf 1.
  auto traces = ranks(16);
  for (int r = 0; r < 16; ++r) {
    traces[r].nodes = {over_dims(1, {false, true, false}), over_dims(2, {false, false, true}),
                       over_dims(3, {false, true, true}), over_dims(4, {true, true, false}),
                       over_dims(5, {true, false, false, true})};
  }
  auto groups = resolve_chakra_groups(traces, 2, 2);
  CHECK(group_of(groups, 5, 1).members == std::vector<int>{5, 7});         // same slot, same leaf
  CHECK(group_of(groups, 5, 2).members == std::vector<int>{1, 5, 9, 13});  // same place, all leaves
  CHECK(group_of(groups, 5, 3).members == std::vector<int>{1, 3, 5, 7, 9, 11, 13, 15});
  CHECK(group_of(groups, 5, 4).members == std::vector<int>{4, 5, 6, 7});  // the whole leaf
  // Dimensions above 2 count as beyond the leaf.
  CHECK(group_of(groups, 5, 5).members == std::vector<int>{0, 1, 4, 5, 8, 9, 12, 13});
  // With every server under one leaf, dimension 2 joins the servers as dimension 1 does.
  auto flat = resolve_chakra_groups(traces, 2, 8);
  CHECK(group_of(flat, 5, 2).members == std::vector<int>{1, 3, 5, 7, 9, 11, 13, 15});
  CHECK(group_of(flat, 5, 1).members == group_of(flat, 5, 2).members);
}

TEST_CASE("a member that runs fewer of its group's collectives is named", "[chakra][groups]") {
  auto traces = ranks(4);
  for (int r = 0; r < 4; ++r) traces[r].nodes = {in_group(10, "dp"), in_group(11, "dp")};
  traces[2].nodes.pop_back();
  CHECK_THROWS_AS(resolve_chakra_groups(traces, 4), InputError);
  CHECK_THROWS_WITH(resolve_chakra_groups(traces, 4),
                    ContainsSubstring("t.2.et: rank 2: node 10: 1 collective(s) in group 'pg dp', "
                                      "but rank 0 runs 2"));
}

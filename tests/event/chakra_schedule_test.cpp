// How a replay schedules a rank's nodes: as their data and control dependencies finish, a ready
// node never waiting behind a blocked one; ranks that wait on each other forever are refused
// with the node they are stuck on; compute, memory and collective nodes take their closed-form
// times.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "hw-models/dvfs.hpp"
#include "sim/cost/collectives.hpp"
#include "sim/engines/event/chakra_replay.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

const std::string kData = KCSIM_SOURCE_DIR "/tests/data/chakra-dp16/";

ClusterModel sample_network() {
  config::Cluster cluster;
  config::LoadedFile::parse(kData + "cluster.textproto", &cluster);
  return resolve_cluster(cluster, test::catalog());
}

void add_int(chakra::Node& node, const std::string& name, int64_t value) {
  auto* attr = node.add_attr();
  attr->set_name(name);
  attr->set_int64_val(value);
}

chakra::Node node(uint64_t id, chakra::NodeType type, std::vector<uint64_t> data = {},
                  std::vector<uint64_t> ctrl = {}) {
  chakra::Node n;
  n.set_id(id);
  n.set_name("n" + std::to_string(id));
  n.set_type(type);
  for (auto dep : data) n.add_data_deps(dep);
  for (auto dep : ctrl) n.add_ctrl_deps(dep);
  return n;
}

chakra::Node compute(uint64_t id, uint64_t micros, std::vector<uint64_t> data = {},
                     std::vector<uint64_t> ctrl = {}) {
  auto n = node(id, chakra::COMP_NODE, std::move(data), std::move(ctrl));
  n.set_duration_micros(micros);
  return n;
}

chakra::Node p2p(uint64_t id, chakra::NodeType type, int src, int dst,
                 std::vector<uint64_t> data = {}, std::vector<uint64_t> ctrl = {}) {
  auto n = node(id, type, std::move(data), std::move(ctrl));
  add_int(n, "comm_src", src);
  add_int(n, "comm_dst", dst);
  add_int(n, "comm_size", 1 << 20);
  return n;
}

chakra::Node all_reduce(uint64_t id, int64_t bytes, std::vector<uint64_t> data = {},
                        std::vector<uint64_t> ctrl = {}) {
  auto n = node(id, chakra::COMM_COLL_NODE, std::move(data), std::move(ctrl));
  add_int(n, "comm_type", chakra::ALL_REDUCE);
  add_int(n, "comm_size", bytes);
  return n;
}

chakra::Node in_group(chakra::Node n, const std::string& pg) {
  auto* attr = n.add_attr();
  attr->set_name("pg_name");
  attr->set_string_val(pg);
  return n;
}

chakra::Node over_dims(chakra::Node n, std::vector<bool> dims) {
  auto* attr = n.add_attr();
  attr->set_name("involved_dim");
  for (bool d : dims) attr->mutable_bool_list()->add_values(d);
  return n;
}

std::vector<ChakraTrace> traces(std::vector<std::vector<chakra::Node>> ranks) {
  std::vector<ChakraTrace> out(ranks.size());
  for (size_t r = 0; r < ranks.size(); ++r) {
    out[r].rank = static_cast<int>(r);
    out[r].file = "s." + std::to_string(r) + ".et";
    out[r].nodes = std::move(ranks[r]);
  }
  return out;
}

// A 1 MiB transfer between two devices of one server takes microseconds.
constexpr double kTransferBound = 50e-6;

}  // namespace

TEST_CASE("a ready node runs while an earlier one waits for its data", "[event][chakra]") {
  // Rank 0's file lists a receive, the compute that needs it, then 5 ms of independent
  // compute; the data arrives after rank 1's 10 ms. The independent node runs meanwhile.
  auto result = replay_chakra(
      traces({{p2p(1, chakra::COMM_RECV_NODE, 1, 0), compute(2, 1000, {1}), compute(3, 5000)},
              {compute(1, 10000), p2p(2, chakra::COMM_SEND_NODE, 1, 0, {1})}}),
      sample_network(), "s");
  const auto& rank0 = result.rank_times[0];
  CHECK_THAT(rank0.compute_s, WithinRel(6e-3, 1e-12));
  // 10 ms, the transfer, then 1 ms: the 5 ms hid under rank 1's compute.
  CHECK(result.step_time_s > 11e-3);
  CHECK(result.step_time_s < 11e-3 + kTransferBound);
  CHECK_THAT(rank0.exposed_comm_s, WithinAbs(result.step_time_s - 6e-3, 1e-12));
  CHECK_THAT(rank0.idle_s, WithinAbs(0, 1e-12));
}

TEST_CASE("control dependencies hold a node back as data dependencies do", "[event][chakra]") {
  // Rank 0's send waits (ctrl_deps) for 4 ms of compute listed after it; rank 1 computes 1 ms
  // on what it receives. Without the control dependency the step would be 4 ms.
  auto result =
      replay_chakra(traces({{p2p(1, chakra::COMM_SEND_NODE, 0, 1, {}, {2}), compute(2, 4000)},
                            {p2p(1, chakra::COMM_RECV_NODE, 0, 1), compute(2, 1000, {1})}}),
                    sample_network(), "s");
  CHECK(result.step_time_s > 5e-3);
  CHECK(result.step_time_s < 5e-3 + kTransferBound);
  CHECK_THAT(result.rank_times[1].compute_s, WithinRel(1e-3, 1e-12));
  CHECK_THAT(result.rank_times[1].exposed_comm_s, WithinAbs(result.step_time_s - 1e-3, 1e-12));
}

TEST_CASE("a rank's compute nodes run one at a time", "[event][chakra]") {
  auto result =
      replay_chakra(traces({{compute(1, 3000), compute(2, 3000)}}), sample_network(), "s");
  CHECK_THAT(result.step_time_s, WithinRel(6e-3, 1e-12));
  CHECK_THAT(result.rank_times[0].exposed_comm_s, WithinAbs(0, 1e-15));
}

TEST_CASE("ranks that wait on each other forever are refused with the node they are stuck on",
          "[event][chakra]") {
  // Each rank receives before it sends: every send has its receive, yet nothing moves.
  auto crossed_p2p =
      traces({{p2p(1, chakra::COMM_RECV_NODE, 1, 0), p2p(2, chakra::COMM_SEND_NODE, 0, 1, {1})},
              {p2p(1, chakra::COMM_RECV_NODE, 0, 1), p2p(2, chakra::COMM_SEND_NODE, 1, 0, {1})}});
  CHECK_THROWS_AS(replay_chakra(crossed_p2p, sample_network(), "s"), InputError);
  CHECK_THROWS_WITH(replay_chakra(crossed_p2p, sample_network(), "s"),
                    ContainsSubstring("s.0.et: rank 0: node 1 (COMM_RECV_NODE) never completes") &&
                        ContainsSubstring("rank 1 on node 1 (COMM_RECV_NODE)"));

  // Two groups whose collectives the ranks run in opposite orders.
  auto crossed_groups =
      traces({{in_group(all_reduce(1, 1 << 20), "A"),
               in_group(all_reduce(2, 1 << 20, {}, {1}), "B"), compute(3, 5, {2})},
              {in_group(all_reduce(1, 1 << 20), "B"),
               in_group(all_reduce(2, 1 << 20, {}, {1}), "A"), compute(3, 5, {2})}});
  CHECK_THROWS_WITH(replay_chakra(crossed_groups, sample_network(), "s"),
                    ContainsSubstring("s.0.et: rank 0: node 1 (COMM_COLL_NODE) never completes"));
}

TEST_CASE("compute and memory nodes take their roofline and memory-bandwidth times",
          "[event][chakra]") {
  auto cluster = sample_network();
  const auto& chip = cluster.chip;
  const double ops = 1e12, bytes = 4e9;
  auto comp = node(1, chakra::COMP_NODE);
  add_int(comp, "num_ops", static_cast<int64_t>(ops));
  add_int(comp, "tensor_size", static_cast<int64_t>(bytes));
  auto load = node(2, chakra::MEM_LOAD_NODE, {1});
  add_int(load, "tensor_size", static_cast<int64_t>(bytes));
  auto store = node(3, chakra::MEM_STORE_NODE, {}, {2});
  add_int(store, "tensor_size", static_cast<int64_t>(bytes / 2));
  auto result = replay_chakra(traces({{comp, load, store}}), cluster, "s");

  // A GEMM of unknown shape at the chip's best GEMM efficiency (bf16), or its bytes at the
  // memory roof, whichever is longer, plus one kernel launch, at the clock the chip's power
  // limit (its TDP) lets it run.
  const auto& eff = chip.efficiency();
  double memory_bw = chip.memory_bandwidth_bytes_per_s() * eff.memory_max();
  Op gemm{"gemm", OpKind::Gemm, ops, bytes};
  DvfsChoice run = choose_state_under_cap(chip, chip.tdp_w(), [&](const DvfsPoint& state) {
    return op_cost(chip, gemm, config::BF16, Execution{state});
  });
  double nominal_s =
      std::max(ops / (chip.peak_ops_per_s(config::BF16) * eff.gemm_max()), bytes / memory_bw) +
      eff.op_overhead_us() * 1e-6;
  double comp_s = run.cost.time_s;
  CHECK(comp_s >= nominal_s * (1 - 1e-12));
  CHECK(comp_s <= nominal_s / dvfs_states(chip).back().speed);
  double expected = comp_s + bytes / memory_bw + bytes / 2 / memory_bw;
  CHECK_THAT(result.rank_times[0].compute_s, WithinRel(expected, 1e-9));
  CHECK_THAT(result.step_time_s, WithinRel(expected, 1e-9));
}

TEST_CASE("involved_dim collectives take the closed-form time of their network level",
          "[event][chakra]") {
  // 16 ranks on two servers of 8: an all-reduce inside each server (dimension 0), then one
  // between the servers among the ranks of the same slot (dimension 1).
  auto cluster = sample_network();
  const int64_t bytes = 256 << 20;
  std::vector<std::vector<chakra::Node>> ranks;
  for (int r = 0; r < 16; ++r) {
    ranks.push_back({over_dims(all_reduce(1, bytes), {true, false}),
                     over_dims(all_reduce(2, bytes, {1}), {false, true})});
  }
  auto result = replay_chakra(traces(ranks), cluster, "s");
  double efficiency = cluster.chip.efficiency().collective_max();
  double inside = ring_time_s(Collective::AllReduce, static_cast<double>(bytes), 8,
                              cluster.tiers.intra_node, efficiency);
  double between = collective_time_s(Collective::AllReduce, static_cast<double>(bytes), Group{2, 1},
                                     cluster.tiers, efficiency);
  CHECK_THAT(result.step_time_s, WithinRel(inside + between, 0.01));
}

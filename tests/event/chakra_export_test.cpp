// Training plans written as Chakra traces replay to the event engine's own iteration time, and
// collectives of named groups run on their members alone.
#include <algorithm>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "configs/loader/text_loader.hpp"
#include "hw-models/power_model.hpp"
#include "sim/engines/event/chakra_replay.hpp"
#include "sim/engines/event/event_training.hpp"
#include "sim/jobs/chakra_export.hpp"
#include "sim/power/cluster_energy.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

double replayed_step(const ClusterModel& cluster, const TrainingSpec& spec) {
  test::ScratchFolder folder;
  auto prefix = (folder.path() / "plan").string();
  auto written = export_training_chakra(cluster, spec, prefix);
  CHECK(written.ranks == spec.devices());
  auto traces = read_chakra_traces(prefix);
  REQUIRE(static_cast<int>(traces.size()) == spec.devices());
  return replay_chakra(traces, cluster, "plan").step_time_s;
}

chakra::Node all_reduce(uint64_t id, const std::string& pg, double bytes) {
  chakra::Node node;
  node.set_id(id);
  node.set_type(chakra::COMM_COLL_NODE);
  for (auto [name, value] : {std::pair{"comm_type", int64_t{chakra::ALL_REDUCE}},
                             {"comm_size", static_cast<int64_t>(bytes)}}) {
    auto* attr = node.add_attr();
    attr->set_name(name);
    attr->set_int64_val(value);
  }
  auto* attr = node.add_attr();
  attr->set_name("pg_name");
  attr->set_string_val(pg);
  return node;
}

}  // namespace

TEST_CASE("an exported plan replays to the event engine's iteration time", "[event][chakra]") {
  auto cluster = test::catalog_cluster("dgx-a100", 2);
  SECTION("1F1B with tensor, pipeline and data parallelism over two servers") {
    auto spec = test::training(cluster, "megatron-1.7b", 2, 2, 16);
    double event = simulate_training_event(cluster, spec).iteration_time_s;
    CHECK_THAT(replayed_step(cluster, spec), WithinRel(event, 1e-6));
  }
  SECTION("Megatron's overlaps: scattered sends, backward collectives beside the GEMMs") {
    auto spec = test::training(cluster, "megatron-1.7b", 4, 4, 16, config::FULL);
    spec.setup.sequence_parallel = false;
    spec.runtime.pipeline_scatter_gather = true;
    spec.runtime.tp_backward_overlap = true;
    double event = simulate_training_event(cluster, spec).iteration_time_s;
    CHECK_THAT(replayed_step(cluster, spec), WithinRel(event, 1e-6));
  }
  SECTION("interleaved 1F1B") {
    auto spec = test::training(cluster, "megatron-1.7b", 4, 2, 16, config::SELECTIVE, 2);
    double event = simulate_training_event(cluster, spec).iteration_time_s;
    CHECK_THAT(replayed_step(cluster, spec), WithinRel(event, 1e-6));
  }
}

TEST_CASE("every rank's exported graph holds its passes and its stage's transfers",
          "[event][chakra]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::training(cluster, "megatron-1.7b", 2, 2, 8);  // dp 2, 8 micro-batches
  auto costs = training_costs(cluster, spec);
  auto first_stage = training_rank_nodes(spec, costs, 0);
  auto count = [](const std::vector<chakra::Node>& nodes, chakra::NodeType type) {
    return std::count_if(nodes.begin(), nodes.end(),
                         [type](const chakra::Node& n) { return n.type() == type; });
  };
  // 4 micro-batches per replica, a forward and a backward each, and the optimizer.
  CHECK(count(first_stage, chakra::COMP_NODE) == 2 * 4 + 1);
  CHECK(count(first_stage, chakra::COMM_SEND_NODE) == 4);  // activations to stage 1
  CHECK(count(first_stage, chakra::COMM_RECV_NODE) == 4);  // gradients from stage 1
}

TEST_CASE("collectives of two process groups run on their own servers", "[event][chakra]") {
  auto cluster = test::catalog_cluster("dgx-a100", 2);
  const double bytes = 256.0 * (1 << 20);
  std::vector<ChakraTrace> traces(16);
  for (int r = 0; r < 16; ++r) {
    traces[r].rank = r;
    traces[r].file = "g." + std::to_string(r) + ".et";
    traces[r].nodes = {all_reduce(1, r < 8 ? "server0" : "server1", bytes)};
  }
  auto result = replay_chakra(traces, cluster, "groups");
  // Each group is one server's ring: nothing crosses the network, so both take the
  // closed-form time of an 8-device NVSwitch all-reduce.
  double closed = collective_time_s(Collective::AllReduce, bytes, Group{8, 8}, cluster.tiers,
                                    cluster.chip.efficiency().collective_max());
  CHECK_THAT(result.step_time_s, WithinRel(closed, 0.01));
}

TEST_CASE("replay energy is the held-idle floor plus the work drawn above it", "[event][chakra]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  std::vector<ChakraTrace> traces(8);
  for (int r = 0; r < 8; ++r) {
    traces[r].rank = r;
    traces[r].file = "e." + std::to_string(r) + ".et";
    chakra::Node node;
    node.set_id(1);
    node.set_type(chakra::COMP_NODE);
    node.set_duration_micros(r < 4 ? 2000 : 1000);  // half the ranks wait 1 ms at the end
    traces[r].nodes = {node};
  }
  auto result = replay_chakra(traces, cluster, "energy");
  REQUIRE_THAT(result.step_time_s, WithinRel(2e-3, 1e-9));
  // Every rank is held by the job for the whole step; a node known only by its duration draws
  // the TDP.
  const double tdp = cluster.chip.tdp_w(), held = held_idle_w(cluster.chip);
  double devices = 4 * tdp * 2e-3 + 4 * (tdp * 1e-3 + held * 1e-3);
  CHECK_THAT(result.energy.device_j, WithinRel(devices, 1e-9));
  // The job's one server, at the load its devices put on it.
  double server_w = server_overhead(cluster, devices / 2e-3, 1, 0).overhead_w();
  CHECK_THAT(result.energy.server_j, WithinRel(server_w * 2e-3, 1e-9));
  CHECK(result.energy.facility_j > result.energy.it_j);
  CHECK_THAT(result.energy.avg_it_power_w, WithinRel(result.energy.it_j / 2e-3, 1e-9));
}

// What Megatron-LM hides: the backward's tensor-parallel collectives beside the column-parallel
// linears' GEMMs, and pipeline sends split over the tensor-parallel ranks.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "sim/cost/collectives.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/engines/analytical/analytical_training.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;
using namespace kcsim::test;

namespace {

TrainingSpec with_stack(TrainingSpec spec, bool overlap, bool sequence_parallel,
                        bool scatter_gather = false) {
  spec.runtime.tp_backward_overlap = overlap;
  spec.runtime.pipeline_scatter_gather = scatter_gather;
  spec.setup.sequence_parallel = sequence_parallel;
  return spec;
}

// One all-reduce of a micro-batch's activations over the server's eight devices.
double all_reduce_s(const ClusterModel& cluster, double bytes) {
  return collective_time_s(Collective::AllReduce, bytes, {8, 8}, cluster.tiers,
                           cluster.chip.efficiency().collective_max());
}

}  // namespace

TEST_CASE("the backward's all-reduces hide behind the weight-gradient GEMMs",
          "[sim][training][overlap]") {
  // Megatron-22B, TP 8 in one server, 4 micro-batches of 2,048 tokens: 48 layers.
  auto cluster = catalog_cluster("dgx-a100", 1);
  auto base = training(cluster, "megatron-22b", 8, 1, 4);
  const double each = all_reduce_s(cluster, 2048.0 * 6144 * 2);
  const double per_layer_and_micro_batch = 48 * 4 * each;

  SECTION("without sequence parallelism: both backward all-reduces hide") {
    auto blocking = simulate_training_analytical(cluster, with_stack(base, false, false));
    auto overlapped = simulate_training_analytical(cluster, with_stack(base, true, false));
    CHECK_THAT(blocking.time.tp_comm_s, WithinRel(4 * per_layer_and_micro_batch, 1e-9));
    CHECK(blocking.time.tp_comm_overlapped_s == 0);
    // The GEMMs (hundreds of microseconds each) outlast a 25 MB all-reduce on NVLink.
    CHECK(training_costs(cluster, with_stack(base, true, false)).tp_bwd_excess_s == 0);
    CHECK_THAT(overlapped.time.tp_comm_s, WithinRel(2 * per_layer_and_micro_batch, 1e-9));
    CHECK_THAT(overlapped.time.tp_comm_overlapped_s,
               WithinRel(2 * per_layer_and_micro_batch, 1e-9));
    CHECK_THAT(blocking.iteration_time_s - overlapped.iteration_time_s,
               WithinRel(2 * per_layer_and_micro_batch, 1e-9));
    // Nothing else moves.
    CHECK(overlapped.time.compute_s == blocking.time.compute_s);
  }
  SECTION("with sequence parallelism: the all-gathers of the output gradients stay exposed") {
    auto r = simulate_training_analytical(cluster, with_stack(base, true, true));
    // Forward: an all-gather and a reduce-scatter twice (two all-reduces' worth); backward: two
    // all-gathers nothing hides (one all-reduce's worth).
    CHECK_THAT(r.time.tp_comm_s, WithinRel(3 * per_layer_and_micro_batch, 1e-9));
    // Beside the GEMMs: two reduce-scatters and two re-gathers of the input.
    CHECK_THAT(r.time.tp_comm_overlapped_s, WithinRel(2 * per_layer_and_micro_batch, 1e-9));
  }
  SECTION("full recompute repeats the forward's all-reduces, which nothing hides") {
    auto full = base;
    full.setup.recompute = RecomputeMode::Full;
    auto r = simulate_training_analytical(cluster, with_stack(full, true, false));
    CHECK_THAT(r.time.tp_comm_s, WithinRel(4 * per_layer_and_micro_batch, 1e-9));
  }
}

TEST_CASE("an all-reduce longer than its GEMM shows what outlasts it", "[sim][training][overlap]") {
  // Tensor parallelism over two servers on 25 Gb/s Ethernet: each all-reduce crosses it, far
  // slower than a small model's GEMMs.
  auto config = catalog().cluster("dgx-a100");
  config.set_nodes(2);
  config.mutable_scale_out()->set_nic_bandwidth_gbit_per_s(25);
  auto cluster = resolve_cluster(config, catalog());
  auto base = training(cluster, "llama2-7b", 16, 1, 2);
  auto blocking = simulate_training_analytical(cluster, with_stack(base, false, false));
  auto overlapped = simulate_training_analytical(cluster, with_stack(base, true, false));
  const TrainingCosts costs = training_costs(cluster, with_stack(base, true, false));
  CHECK(costs.tp_bwd_excess_s > 0);
  // Every backward all-reduce is either hidden or shown: the two add up to the blocking run's.
  CHECK_THAT(overlapped.time.tp_comm_s + overlapped.time.tp_comm_overlapped_s,
             WithinRel(blocking.time.tp_comm_s, 1e-9));
  CHECK(overlapped.time.tp_comm_overlapped_s > 0);
  CHECK(overlapped.iteration_time_s < blocking.iteration_time_s);
  // The excess is what the all-reduces outlast the QKV and MLP-up GEMMs by: at most the two
  // all-reduces of each layer, at least what they outlast the whole layer's forward by.
  const double layers = costs.layers_per_stage;
  const double each = collective_time_s(Collective::AllReduce, 2048.0 * 4096 * 2, {16, 8},
                                        cluster.tiers, costs.efficiency);
  CHECK(each > costs.layer_fwd.time_s);
  CHECK(costs.tp_bwd_excess_s <= 2 * layers * each);
  CHECK(costs.tp_bwd_excess_s >= 2 * layers * (each - costs.layer_fwd.time_s));
}

TEST_CASE("pipeline sends split over the tensor-parallel ranks", "[sim][training][overlap]") {
  // GPT-3 175B, TP 8 x PP 8 over 8 servers: every stage boundary crosses the scale-out network.
  auto cluster = catalog_cluster("dgx-a100", 8);
  auto base = training(cluster, "gpt3-175b", 8, 8, 64);
  const double act = 2048.0 * 12288 * 2;
  auto whole = training_costs(cluster, with_stack(base, false, false, false));
  auto split = training_costs(cluster, with_stack(base, false, false, true));
  auto sliced = training_costs(cluster, with_stack(base, false, true, false));
  CHECK(whole.pp_bytes == act);
  CHECK(whole.pp_gather_s == 0);
  // Scatter/gather: a slice over the network, then an all-gather over NVLink.
  CHECK(split.pp_bytes == act / 8);
  CHECK_THAT(split.pp_gather_s, WithinRel(collective_time_s(Collective::AllGather, act, {8, 8},
                                                            cluster.tiers, split.efficiency),
                                          1e-12));
  // Under sequence parallelism the stage holds slices already: nothing to gather.
  CHECK(sliced.pp_bytes == act / 8);
  CHECK(sliced.pp_gather_s == 0);
  auto slow = simulate_training_analytical(cluster, with_stack(base, false, false, false));
  auto fast = simulate_training_analytical(cluster, with_stack(base, false, false, true));
  CHECK(fast.time.pp_comm_s < slow.time.pp_comm_s);
  CHECK(fast.time.bubble_s < slow.time.bubble_s);
  CHECK_THAT(fast.time.sum_s(), WithinRel(fast.iteration_time_s, 1e-9));
}

// Where the data-parallel reduction's rings share links, and what the analytical engine charges.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "sim/cost/dp_contention.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/engines/analytical/analytical_training.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;
using namespace kcsim::test;

namespace {

ClusterModel dgx(int nodes, const std::string& network) {
  auto config = catalog().cluster("dgx-a100");
  config.set_nodes(nodes);
  config.mutable_scale_out()->set_kind(network);
  return resolve_cluster(config, catalog());
}

}  // namespace

TEST_CASE("the stage holding the LM head sets the pipeline's pace", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 8);
  auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
  auto c = training_costs(cluster, spec);
  auto r = simulate_training_analytical(cluster, spec);
  // The first and last stages differ only by the embedding and by the head and loss.
  double head = c.last_fwd.time_s + c.last_bwd.time_s;
  double embedding = c.first_fwd.time_s + c.first_bwd.time_s;
  REQUIRE(head > embedding);
  CHECK_THAT(r.time.stage_imbalance_s, WithinRel(r.micro_batches * (head - embedding), 1e-9));
  // Without a pipeline there is nothing to wait for.
  auto flat = simulate_training_analytical(cluster, training(cluster, "megatron-22b", 8, 1, 8));
  CHECK(flat.time.stage_imbalance_s == 0);
}

TEST_CASE("a heavy last stage hides one of its two hops in the others' slack", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 8);
  for (bool sequence_parallel : {true, false}) {
    INFO("sequence parallel " << sequence_parallel);
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
    spec.setup.sequence_parallel = sequence_parallel;
    auto c = training_costs(cluster, spec);
    auto r = simulate_training_analytical(cluster, spec);
    const auto& tier = c.pp_inside_node ? cluster.tiers.intra_node : cluster.tiers.scale_out;
    double hop = ring_time_s(Collective::SendRecv, c.pp_bytes, 2, tier, c.efficiency);
    double m = static_cast<double>(r.micro_batches);
    // Every stage's shared work per micro-batch is the same; only the ends' extra layers differ.
    double shared = (r.time.recompute_s + r.time.tp_comm_s + r.time.ep_comm_s) / m;
    double middle =
        c.chunk_fwd_s(1, 8) + c.chunk_bwd_s(1, 8) - c.layers_per_stage * c.layer_recompute.time_s;
    double last = middle + c.last_fwd.time_s + c.last_bwd.time_s;
    double cycle = std::max(last + shared + hop, middle + shared + 2 * hop);
    CHECK_THAT(r.time.pp_comm_s, WithinRel(m * (cycle - last - shared), 1e-9));
    CHECK_THAT(r.time.bubble_s, WithinRel(7 * cycle, 1e-9));
  }
}

TEST_CASE("rings spread over a fat-tree's uplinks by hash share some of them",
          "[sim][training][contention]") {
  auto fat = dgx(32, "fat-tree");
  auto spec = training(fat, "gpt3-175b", 8, 8, 256);
  auto c = training_costs(fat, spec);
  REQUIRE(c.dp_grads.group.size == 4);
  auto sharing = dp_link_sharing(fat, c.dp_grads);
  // 64 groups of 4 servers, one ring each: 256 flows between servers.
  CHECK(sharing.flows == 256);
  CHECK(sharing.most_flows_on_link >= 2);
  // A link as fast as the NICs, shared by n flows, runs each at 1/n.
  CHECK_THAT(sharing.slowdown, WithinRel(sharing.most_flows_on_link, 1e-9));
  CHECK(sharing.busiest_link.find("spine") != std::string::npos);

  SECTION("all groups starting together stretch the wire time by the slowdown") {
    double alone = dp_reduction_s(c, fat.tiers);
    // The reduce-scatter of the gradients and the all-gather of the weights (ZeRO 1).
    REQUIRE(c.dp_weights.count == 1);
    double wire = 0;
    for (const auto* cost : {&c.dp_grads, &c.dp_weights}) {
      for (const auto& stage : collective_stages(cost->kind, cost->bytes, cost->group, c.algorithm,
                                                 &fat.tiers, c.efficiency)) {
        if (stage.inter_node) {
          wire += stage.shape.volume * stage.bytes /
                  (fat.tiers.scale_out.bandwidth_bytes_per_s * c.efficiency);
        }
      }
    }
    double expected =
        dp_exposed_s(c, alone + wire * (sharing.slowdown - 1)) - dp_exposed_s(c, alone);
    CHECK_THAT(dp_contention_s(fat, c, 8, 0.0), WithinRel(expected, 1e-9));
    // Stages that start apart overlap less.
    CHECK(dp_contention_s(fat, c, 8, 0.5 * wire) < dp_contention_s(fat, c, 8, 0.0));
    // Groups of one stage start together whatever the stagger; with one group per stage, starts
    // farther apart than a flow's own time leave nothing shared.
    CHECK(dp_contention_s(fat, c, 8, 100 * wire) > 0);
    CHECK_THAT(dp_contention_s(fat, c, 1, 100 * wire), WithinAbs(0.0, 1e-12));
  }
  SECTION("rails keep each ring on links of its own") {
    auto rails = dgx(32, "rail-optimized");
    auto rail_costs = training_costs(rails, spec);
    CHECK(dp_link_sharing(rails, rail_costs.dp_grads).slowdown == 1);
    CHECK(dp_contention_s(rails, rail_costs, 8, 0.0) == 0);
    CHECK(simulate_training_analytical(rails, spec).time.dp_comm_contention_s == 0);
  }
}

TEST_CASE("an oversubscribed tier shows as contention, priced once",
          "[sim][training][contention]") {
  auto config = catalog().cluster("dgx-a100");
  config.set_nodes(16);
  config.mutable_scale_out()->set_kind("fat-tree");
  auto open = resolve_cluster(config, catalog());
  config.mutable_scale_out()->set_oversubscription(4);
  auto thin = resolve_cluster(config, catalog());
  auto spec = training(thin, "llama2-13b", 8, 1, 16);
  auto open_run = simulate_training_analytical(open, spec);
  auto thin_run = simulate_training_analytical(thin, spec);
  // On links of its own the reduction is the same; the 4:1 leaves' uplinks are what differ.
  CHECK_THAT(thin_run.time.dp_comm_total_s, WithinRel(open_run.time.dp_comm_total_s, 1e-12));
  CHECK_THAT(thin_run.time.dp_comm_exposed_s, WithinRel(open_run.time.dp_comm_exposed_s, 1e-12));
  CHECK(thin_run.time.dp_comm_contention_s > open_run.time.dp_comm_contention_s);
  auto c = training_costs(thin, spec);
  CHECK(dp_link_sharing(thin, c.dp_grads).slowdown > dp_link_sharing(open, c.dp_grads).slowdown);
}

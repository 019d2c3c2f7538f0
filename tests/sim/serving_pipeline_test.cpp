// Pipeline parallelism inside a serving replica: with one batch in flight an iteration is the
// stages back to back plus the sends between them; each stage holds its share of the weights
// and sizes its KV cache from the memory left; the closed form and the serving loop agree.
#include <cmath>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "sim/cost/serving_batch_cost.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/jobs/serving_load.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Approx;
using Catch::Matchers::ContainsSubstring;
using namespace kcsim;

TEST_CASE("pp stages: TTFT and TPOT are the stages back to back plus the sends", "[serving][pp]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto one = test::serving(cluster, "llama2-13b", 2, 8, 1024, 128, 1);
  auto two = test::serving(cluster, "llama2-13b", 2, 8, 1024, 128, 2);
  auto four = test::serving(cluster, "llama2-13b", 2, 8, 1024, 128, 4);
  auto r1 = simulate_serving_analytical(cluster, one);
  auto r2 = simulate_serving_analytical(cluster, two);
  auto r4 = simulate_serving_analytical(cluster, four);

  // The stages together compute what one device of a pp-1 replica computes.
  auto p1 = serving_iteration(cluster, one, 8, 1024, 1024);
  auto p2 = serving_iteration(cluster, two, 8, 1024, 1024);
  CHECK(p2.compute.time_s == Approx(p1.compute.time_s).epsilon(1e-12));
  CHECK(p2.tp_comm_s == Approx(p1.tp_comm_s).epsilon(1e-12));
  CHECK(p1.pp_comm_s == 0);
  // A send carries the batch's activations (8 x 1024 tokens x 5120 x 2 bytes) once per stage
  // boundary over the server's NVLink: at least its bytes at the link's bandwidth.
  double bytes = 8.0 * 1024 * 5120 * 2;
  double link_s = bytes / cluster.tiers.intra_node.bandwidth_bytes_per_s;
  CHECK(p2.pp_comm_s > link_s);
  CHECK(p2.pp_comm_s < 1.5 * link_s);
  auto p4 = serving_iteration(cluster, four, 8, 1024, 1024);
  CHECK(p4.pp_comm_s == Approx(3 * p2.pp_comm_s).epsilon(1e-12));

  CHECK(r2.ttft_s == Approx(r1.ttft_s + p2.pp_comm_s).epsilon(1e-9));
  CHECK(r4.ttft_s == Approx(r1.ttft_s + p4.pp_comm_s).epsilon(1e-9));
  double decode_send = serving_pipeline_send_s(cluster, two, 8);
  CHECK(r2.tpot_s == Approx(r1.tpot_s + decode_send).epsilon(1e-9));
  CHECK(r2.pp == 2);
  // The node's 8 devices: 4 replicas of tp 2, or 2 of tp 2 x pp 2.
  CHECK(r1.replicas == 4);
  CHECK(r2.replicas == 2);
  CHECK(r2.devices == 2 * 2 * r2.replicas);
  CHECK(r2.kv_bytes_per_token == Approx(r1.kv_bytes_per_token).epsilon(1e-12));
  // Half the devices' time computing: each draws less on average.
  CHECK(r2.avg_device_power_w < r1.avg_device_power_w);
}

TEST_CASE("pp stages split the weights and the KV cache of each token", "[serving][pp]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto m = test::catalog_model("llama2-13b");
  double w1 = serving_weight_bytes_per_device(m, config::BF16, 2, 1);
  double w2 = serving_weight_bytes_per_device(m, config::BF16, 2, 2);
  // Half the layers, plus the embedding or the head (1.3 % of the parameters each).
  CHECK(w2 > w1 / 2);
  CHECK(w2 == Approx(w1 / 2).epsilon(0.02));
  // Untied embeddings: the stages hold every parameter exactly once.
  double sum = 0;
  for (int stage = 0; stage < 4; ++stage) {
    sum += serving_stage_weight_bytes_per_device(m, config::BF16, 2, 4, stage);
  }
  CHECK(sum == Approx(w1).epsilon(1e-12));
  CHECK(serving_kv_bytes_per_token_per_device(m, config::BF16, 2, 2) ==
        Approx(serving_kv_bytes_per_token_per_device(m, config::BF16, 2, 1) / 2).epsilon(1e-12));

  auto r1 =
      simulate_serving_analytical(cluster, test::serving(cluster, "llama2-13b", 2, 8, 1024, 128));
  auto r2 = simulate_serving_analytical(cluster,
                                        test::serving(cluster, "llama2-13b", 2, 8, 1024, 128, 2));
  CHECK(r2.memory.weights_gib == Approx(r1.memory.weights_gib / 2).epsilon(0.02));
  CHECK(r2.memory.activations_gib == Approx(r1.memory.activations_gib / 2).epsilon(1e-12));
  // Less weight per device leaves more room, and each token needs half the bytes there.
  CHECK(r2.max_batch_by_kv > 2 * r1.max_batch_by_kv);

  // The replica's KV blocks: what the heaviest stage's memory left holds.
  auto spec = test::serving(cluster, "llama2-13b", 2, 1, 512, 128, 2);
  double usable = 0.9 * cluster.chip.memory_capacity_bytes();
  double per_token = serving_kv_bytes_per_token_per_device(m, config::BF16, 2, 2);
  int64_t blocks = kv_blocks_per_replica(cluster, spec, 16);
  for (int stage = 0; stage < 2; ++stage) {
    double left = usable - serving_stage_weight_bytes_per_device(m, config::BF16, 2, 2, stage) -
                  serving_workspace_bytes();
    CHECK(static_cast<double>(blocks) * 16 * per_token <= left);
  }
  double tightest = usable - w2 - serving_workspace_bytes();
  CHECK(static_cast<double>(blocks + 1) * 16 * per_token > tightest);
}

TEST_CASE("the mixed-batch cost adds the pipeline sends", "[serving][pp][batch_cost]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto one = test::serving(cluster, "llama2-7b", 2, 4, 512, 128);
  auto two = test::serving(cluster, "llama2-7b", 2, 4, 512, 128, 2);
  BatchCostModel cost1(cluster, one), cost2(cluster, two);
  MixedBatch batch;
  batch.prefill_chunks = {{300, 300}, {200, 700}};
  batch.decode_sequences = 12;
  batch.decode_context_sum = 12 * 900;
  auto a = cost1.cost(batch), b = cost2.cost(batch);
  CHECK(b.compute.time_s == Approx(a.compute.time_s).epsilon(1e-12));
  CHECK(b.pp_comm_s == Approx(serving_pipeline_send_s(cluster, two, 512)).epsilon(1e-12));
  CHECK(b.time_s() == Approx(a.time_s() + b.pp_comm_s).epsilon(1e-12));
  // A uniform batch costs what the closed form's iteration does, sends included.
  MixedBatch uniform;
  uniform.prefill_chunks.assign(4, {512, 512});
  CHECK(cost2.cost(uniform).time_s() ==
        Approx(serving_iteration(cluster, two, 4, 512, 512).time_s()).epsilon(1e-9));
}

TEST_CASE("an infeasible pp says which would do", "[serving][pp]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  CHECK_THROWS_WITH(
      check_serving_plan(test::serving(cluster, "llama2-7b", 1, 1, 512, 128, 3), cluster),
      ContainsSubstring("pp 3 does not divide the 32 layers of llama2-7b into equal "
                        "stages; pp values that do: 1, 2, 4, 8, 16, 32"));
  auto wide = test::serving(cluster, "llama2-7b", 4, 1, 512, 128, 4);
  wide.replicas = 1;
  CHECK_THROWS_WITH(check_serving_plan(wide, cluster),
                    ContainsSubstring("1 replicas of tp 4 x pp 4 need 16 devices"));
  // 70B in bf16 does not fit one A100 but fits four pipeline stages of one each.
  auto flat = test::serving(cluster, "llama2-70b", 1, 1, 512, 128, 1);
  CHECK_THROWS_WITH(check_serving_plan(flat, cluster),
                    ContainsSubstring("tp 2 would fit, or pp 2 at tp 1 would"));
  auto staged = test::serving(cluster, "llama2-70b", 1, 1, 512, 128, 4);
  staged.replicas = 2;
  CHECK_NOTHROW(check_serving_plan(staged, cluster));
}

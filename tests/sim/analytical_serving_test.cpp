#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;
using namespace kcsim;
using namespace kcsim::test;

TEST_CASE("batch-1 decode streams the weights at memory speed", "[sim][serving]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  auto spec = serving(cluster, "llama2-70b", 8, 1, 512, 128);
  auto r = simulate_serving_analytical(cluster, spec);
  double bytes = serving_weight_bytes_per_device(spec.model, spec.dtype, 8);
  double stream_s = bytes / (cluster.chip.memory_bandwidth_bytes_per_s() *
                             cluster.chip.efficiency().memory_max());
  CHECK(r.tpot_s > stream_s);
  CHECK(r.tpot_s < 1.8 * stream_s);  // plus 5 us per kernel and 160 small all-reduces
}

TEST_CASE("prefill is compute bound: TTFT grows with the prompt", "[sim][serving]") {
  auto cluster = catalog_cluster("dgx-h100", 1);
  auto a = simulate_serving_analytical(cluster, serving(cluster, "llama3-8b", 1, 8, 1024, 64));
  auto b = simulate_serving_analytical(cluster, serving(cluster, "llama3-8b", 1, 8, 4096, 64));
  CHECK(b.ttft_s > 3.5 * a.ttft_s);
  CHECK(b.tpot_s < 1.5 * a.tpot_s);
}

TEST_CASE("throughput counts every replica's output over the request time", "[sim][serving]") {
  auto cluster = catalog_cluster("dgx-a100", 2);
  auto spec = serving(cluster, "llama2-13b", 2, 16, 512, 256);
  auto r = simulate_serving_analytical(cluster, spec);
  CHECK(r.replicas == 8);
  CHECK_THAT(r.e2e_s, WithinRel(r.ttft_s + 255 * r.tpot_s, 1e-12));
  CHECK_THAT(r.throughput_output_tokens_per_s, WithinRel(8 * 16 * 256 / r.e2e_s, 1e-12));
  CHECK_THAT(r.energy_per_output_token_j * r.throughput_output_tokens_per_s,
             WithinRel(r.avg_it_power_w, 1e-9));
}

TEST_CASE("the KV capacity is the memory left after weights and workspace", "[sim][serving]") {
  auto cluster = catalog_cluster("dgx-h100", 1);
  auto spec = serving(cluster, "llama2-70b", 8, 1, 1024, 1024);
  auto r = simulate_serving_analytical(cluster, spec);
  double free = 0.9 * 80.0 * (1 << 30) - serving_weight_bytes_per_device(spec.model, spec.dtype, 8) -
                serving_workspace_bytes();
  double per_sequence = 2048.0 * 2 * 80 * 1 * 128 * 2;  // one KV head per device at tp 8
  CHECK(r.max_batch_by_kv == static_cast<int>(free / per_sequence));
  CHECK_THAT(r.kv_bytes_per_token, WithinRel(327680.0, 1e-12));
}

TEST_CASE("larger batches raise throughput and energy efficiency", "[sim][serving]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  auto one = simulate_serving_analytical(cluster, serving(cluster, "llama2-70b", 8, 1, 512, 128));
  auto many = simulate_serving_analytical(cluster, serving(cluster, "llama2-70b", 8, 32, 512, 128));
  CHECK(many.throughput_output_tokens_per_s > 10 * one.throughput_output_tokens_per_s);
  CHECK(many.energy_per_output_token_j < one.energy_per_output_token_j / 5);
}

TEST_CASE("serving infeasibility says what would fit", "[sim][serving]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  CHECK_THROWS_WITH(check_serving_plan(serving(cluster, "llama2-70b", 1, 1, 512, 128), cluster),
                    ContainsSubstring("tp 2 would fit"));
  CHECK_THROWS_WITH(check_serving_plan(serving(cluster, "llama2-70b", 3, 1, 512, 128), cluster),
                    ContainsSubstring("tp values that do: 1, 2, 4, 8"));
  auto spec = serving(cluster, "llama2-7b", 1, 1, 512, 128);
  spec.dtype = config::FP8;
  CHECK_THROWS_WITH(check_serving_plan(spec, cluster), ContainsSubstring("does not support fp8"));
}

TEST_CASE("without a tp the smallest one that fits is chosen", "[sim][serving]") {
  auto cluster = catalog_cluster("rngd-server", 1);
  config::ServingJob job;
  job.set_batch_size(1);
  auto spec = make_serving_spec(job, catalog_model("llama3-70b"), cluster);
  CHECK(spec.tp == 4);  // 141 GB of bf16 weights over 48 GiB cards
  CHECK(spec.replicas == 2);
}

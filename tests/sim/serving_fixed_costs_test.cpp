// What a serving stack costs beyond the roofline: kernel floors and gaps, the latency floor of
// each tensor-parallel all-reduce, sampling and host work; and what FP8 buys on H100 (its own
// GEMM curve, attention left in 16 bits).
#include <algorithm>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/jobs/jobs.hpp"
#include "tests/sim/engine_fixtures.hpp"
#include "workloads/transformer_ops.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

config::ServingJob job(const std::string& model, int tp, int64_t prompt, config::Dtype dtype,
                       const std::string& runtime) {
  config::ServingJob j;
  j.set_model(model);
  j.set_tp(tp);
  j.set_replicas(1);
  j.set_batch_size(1);
  j.set_prompt_tokens(prompt);
  j.set_output_tokens(16);
  j.set_dtype(dtype);
  j.mutable_runtime()->set_profile(runtime);
  return j;
}

// A matrix product of `batch` m x n x k products.
Op matmul(OpKind kind, double batch, double m, double n, double k) {
  Op op;
  op.name = kind == OpKind::Gemm ? "proj" : "attn_score";
  op.kind = kind;
  op.batch = batch;
  op.m = m;
  op.n = n;
  op.k = k;
  op.flops = 2 * batch * m * n * k;
  return op;
}

// Kernels a layer launches: ops not fused into the one before.
int kernels(const std::vector<Op>& ops) {
  return static_cast<int>(
      std::count_if(ops.begin(), ops.end(), [](const Op& op) { return !op.fused; }));
}

}  // namespace

TEST_CASE("a short prompt's first token costs at least the per-layer fixed costs",
          "[serving][fixed_costs]") {
  auto catalog = test::catalog();
  auto cluster = test::catalog_cluster("dgx-h100", 1);
  ServingSpec spec =
      serving_job_spec(job("llama2-70b", 8, 16, config::BF16, "tensorrt-llm"), cluster, catalog);
  const auto& eff = cluster.chip.efficiency();
  REQUIRE(spec.runtime.kernel_gap_us >= 0);
  REQUIRE(spec.runtime.collective_floor_us > 0);
  REQUIRE(eff.min_kernel_us() > 0);
  PassShape pass = serving_pass_shape(spec, 1, 16, 16);
  int per_layer = kernels(layer_forward_ops(spec.model, pass));
  double kernel_floor_s = (eff.min_kernel_us() + spec.runtime.kernel_gap_us) * 1e-6;
  double layer_floor_s = per_layer * kernel_floor_s + 2 * spec.runtime.collective_floor_us * 1e-6;
  double floor_s = spec.model.layers * layer_floor_s +
                   spec.runtime.step_overhead_us * 1e-6 / cluster.host_speed();
  ServingResult r = simulate_serving_analytical(cluster, spec);
  INFO("ttft " << r.ttft_s << " s, fixed-cost floor " << floor_s << " s");
  CHECK(r.ttft_s >= floor_s);
  // Without the runtime's own costs (the chip's kernel floor stays) it reads faster.
  ServingSpec ideal = spec;
  ideal.runtime = RuntimeSpec{};
  ideal.runtime.kernel_gap_us = 0;
  CHECK(simulate_serving_analytical(cluster, ideal).ttft_s < r.ttft_s);
  // And a longer prompt amortises them: 2,048 tokens cost far less than 128 times 16.
  ServingSpec long_prompt =
      serving_job_spec(job("llama2-70b", 8, 2048, config::BF16, "tensorrt-llm"), cluster, catalog);
  CHECK(simulate_serving_analytical(cluster, long_prompt).ttft_s < 20 * r.ttft_s);
}

TEST_CASE("FP8 on H100 gains less than its doubled peak, as measured",
          "[serving][fixed_costs][fp8]") {
  const ChipModel& chip = test::catalog_cluster("dgx-h100", 1).chip;
  // A prefill-sized GEMM: 2,048 tokens through a 8,192 x 8,192 projection.
  Op gemm = matmul(OpKind::Gemm, 1, 2048, 8192, 8192);
  double bf16 = op_cost(chip, gemm, config::BF16).compute_s;
  double fp8 = op_cost(chip, gemm, config::FP8).compute_s;
  CHECK(bf16 / fp8 > 1.0);
  CHECK(bf16 / fp8 < 2.0);

  // The cited ratio: TensorRT Model Optimizer's benchmark (TensorRT-LLM 0.15, H200, the H100's
  // GH100 with more memory), Llama-3.1-8B, 2,048 input and 128 output tokens, batch 64, where
  // the prompts' GEMMs take most of the time: FP8 gives 1.30x the BF16 output rate.
  auto catalog = test::catalog();
  auto cluster = test::catalog_cluster("hgx-h200", 1);
  auto rate = [&](config::Dtype dtype) {
    config::ServingJob j = job("llama3-8b", 1, 2048, dtype, "tensorrt-llm");
    j.set_batch_size(64);
    j.set_output_tokens(128);
    return simulate_serving_analytical(cluster, serving_job_spec(j, cluster, catalog))
        .throughput_output_tokens_per_s;
  };
  double ratio = rate(config::FP8) / rate(config::BF16);
  INFO("FP8 / BF16 output rate " << ratio);
  CHECK(ratio < 2.0);
  CHECK_THAT(ratio, WithinAbs(1.30, 0.10));
}

TEST_CASE("attention stays in 16 bits beside 8-bit GEMMs unless the stack has 8-bit kernels",
          "[serving][fixed_costs][fp8]") {
  const ChipModel& chip = test::catalog_cluster("dgx-h100", 1).chip;
  Op scores = matmul(OpKind::AttnGemm, 64, 2048, 2048, 128);
  RuntimeSpec runtime;
  Execution sixteen = runtime.execution(chip, DvfsPoint{}, 1.0, config::FP8);
  REQUIRE(sixteen.attention_dtype == config::BF16);
  CHECK(op_cost(chip, scores, config::FP8, sixteen).compute_s ==
        op_cost(chip, scores, config::BF16).compute_s);
  runtime.low_precision_attention = true;
  Execution eight = runtime.execution(chip, DvfsPoint{}, 1.0, config::FP8);
  CHECK(op_cost(chip, scores, config::FP8, eight).compute_s <
        op_cost(chip, scores, config::BF16).compute_s);
}

// Runtime profiles: a job's runtime block over the catalog profile it names, the chip's own
// settings, profiles built on others, and clear errors for a profile that does not exist.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "sim/jobs/jobs.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using namespace kcsim;

namespace {

RuntimeSpec resolved(const config::Runtime& block, const std::string& chip,
                     const std::string& fallback = kDefaultServingRuntime) {
  auto catalog = test::catalog();
  return resolve_runtime(block, fallback, ChipModel(catalog.chip(chip)), catalog, {});
}

config::Runtime profile(const std::string& name) {
  config::Runtime r;
  r.set_profile(name);
  return r;
}

}  // namespace

TEST_CASE("a job without a runtime runs the default profile of its kind", "[sim][runtime]") {
  auto serving = resolved({}, "a100-80g");
  CHECK(serving.name == "vllm");
  auto catalog_vllm = test::catalog().runtime("vllm");
  CHECK(serving.collective_floor_us == catalog_vllm.collective_floor_us());
  CHECK(serving.max_running_sequences == catalog_vllm.max_running_sequences());
  auto training = resolved({}, "a100-80g", kDefaultTrainingRuntime);
  CHECK(training.name == "megatron-lm");
  CHECK(training.dispatch_us == 0);
}

TEST_CASE("the runtime block's own fields replace the profile's", "[sim][runtime]") {
  config::Runtime block = profile("eager-pytorch-2023");
  block.set_step_overhead_us(1234);
  auto r = resolved(block, "a100-80g");
  CHECK(r.step_overhead_us == 1234);
  CHECK(r.dispatch_us == test::catalog().runtime("eager-pytorch-2023").dispatch_us());
}

TEST_CASE("a chip and its board variants take the profile's settings for that chip",
          "[sim][runtime]") {
  // vLLM picks larger scheduler limits on 70+ GiB parts other than A100.
  auto a100 = resolved(profile("vllm"), "a100-80g");
  auto h100 = resolved(profile("vllm"), "h100-sxm");
  auto h200 = resolved(profile("vllm"), "h200-sxm");  // a board of h100-sxm
  CHECK(a100.max_running_sequences == 256);
  CHECK(h100.max_running_sequences == 1024);
  CHECK(h200.max_running_sequences == 1024);
  // The eager 2023 stack's kernels predate Hopper's matrix instructions.
  auto eager_a100 = resolved(profile("eager-pytorch-2023"), "a100-80g");
  auto eager_h100 = resolved(profile("eager-pytorch-2023"), "h100-sxm");
  CHECK(eager_h100.gemm_efficiency_scale < eager_a100.gemm_efficiency_scale);
  // A job that sets the scale itself keeps it on every chip.
  config::Runtime own = profile("eager-pytorch-2023");
  own.set_gemm_efficiency_scale(0.9);
  CHECK(resolved(own, "h100-sxm").gemm_efficiency_scale == 0.9);
}

TEST_CASE("a profile's settings for a kind of chip apply to every chip of it", "[sim][runtime]") {
  // vLLM replays CUDA graphs on GPUs; on an NPU its kernels keep the chip's own launch cost.
  auto gpu = resolved(profile("vllm"), "a100-80g");
  auto npu = resolved(profile("vllm"), "rngd");
  CHECK(gpu.kernel_gap_us >= 0);
  CHECK(npu.kernel_gap_us < 0);
  auto catalog = test::catalog();
  ChipModel rngd(catalog.chip("rngd"));
  CHECK(npu.execution(rngd, DvfsPoint{}, 1.0, config::BF16).kernel_gap_s < 0);
}

TEST_CASE("a profile may build on another", "[sim][runtime]") {
  auto nim = test::catalog().runtime("nim");
  REQUIRE(nim.profile() == "tensorrt-llm");
  auto base = resolved(profile("tensorrt-llm"), "h100-sxm");
  auto derived = resolved(profile("nim"), "h100-sxm");
  CHECK(derived.collective_floor_us == base.collective_floor_us);
  CHECK(derived.kernel_gap_us == base.kernel_gap_us);
  CHECK(derived.step_overhead_us == nim.step_overhead_us());
  CHECK(derived.name == "nim");
}

TEST_CASE("an unknown profile names the ones that exist", "[sim][runtime]") {
  CHECK_THROWS_WITH(
      resolved(profile("vllm-9"), "a100-80g"),
      ContainsSubstring("unknown runtime \"vllm-9\"") && ContainsSubstring("tensorrt-llm"));
}

TEST_CASE("the load's scheduler limits default to the runtime's", "[sim][runtime][serving]") {
  auto catalog = test::catalog();
  auto cluster = test::catalog_cluster("hgx-h200", 1);
  config::ServingJob job;
  job.set_model("llama3-8b");
  job.set_tp(1);
  job.set_replicas(1);
  job.set_prompt_tokens(128);
  job.set_output_tokens(256);
  auto* load = job.mutable_load();
  load->set_rate_per_s(1e5);  // every request waiting at once: the limits bind
  load->set_requests(2000);
  // H200's memory holds far more than 256 sequences of 384 tokens; vLLM's limit there is 1,024.
  auto roomy = run_serving_job(job, cluster, catalog);
  INFO("mean running sequences " << roomy.load->batch_size_mean);
  CHECK(roomy.runtime == "vllm");
  CHECK(roomy.load->batch_size_mean > 256);
  CHECK(roomy.load->batch_size_mean <= 1024);
  // The same stream under an explicit --max-batch of 256.
  load->set_max_batch(256);
  auto capped = run_serving_job(job, cluster, catalog);
  CHECK(capped.load->batch_size_mean <= 256);
  CHECK(capped.load->throughput_output_tokens_per_s < roomy.load->throughput_output_tokens_per_s);
}

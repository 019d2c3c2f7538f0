#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "tests/workloads/model_fixtures.hpp"
#include "workloads/training_memory.hpp"

using namespace kcsim;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// GPT-3 175B as in Korthikanti et al.: s = 2048, b = 1, t = 8.
TrainingSetup gpt3_setup(RecomputeMode recompute, bool sp) {
  TrainingSetup s;
  s.flash_attention = false;  // the paper's unfused attention
  s.tp = 8;
  s.seq_len = 2048;
  s.micro_batch = 1;
  s.recompute = recompute;
  s.sequence_parallel = sp;
  return s;
}

}  // namespace

TEST_CASE("per-layer activations follow Korthikanti et al.", "[workloads][memory]") {
  ModelShape m = test::gpt3_175b();
  const double s = 2048, b = 1, h = 12288, a = 96, t = 8, sbh = s * b * h;
  using R = RecomputeMode;

  SECTION("no parallelism: sbh(34 + 5as/h)") {
    TrainingSetup setup = gpt3_setup(R::None, false);
    setup.tp = 1;
    CHECK_THAT(activation_bytes_per_layer(m, setup), WithinRel(sbh * (34 + 5 * a * s / h), 1e-12));
  }
  SECTION("tensor parallel: sbh(10 + 24/t + 5as/(ht))") {
    CHECK_THAT(activation_bytes_per_layer(m, gpt3_setup(R::None, false)),
               WithinRel(sbh * (10 + 24 / t + 5 * a * s / (h * t)), 1e-12));
  }
  SECTION("tensor parallel and selective recompute: sbh(10 + 24/t)") {
    CHECK_THAT(activation_bytes_per_layer(m, gpt3_setup(R::Selective, false)),
               WithinRel(sbh * (10 + 24 / t), 1e-12));
  }
  SECTION("tensor and sequence parallel: sbh/t (34 + 5as/h)") {
    CHECK_THAT(activation_bytes_per_layer(m, gpt3_setup(R::None, true)),
               WithinRel(sbh / t * (34 + 5 * a * s / h), 1e-12));
  }
  SECTION("sequence parallel and selective recompute: 34 sbh/t") {
    CHECK_THAT(activation_bytes_per_layer(m, gpt3_setup(R::Selective, true)),
               WithinRel(34 * sbh / t, 1e-12));
  }
  SECTION("full recompute keeps the layer input") {
    CHECK(activation_bytes_per_layer(m, gpt3_setup(R::Full, false)) == 2 * sbh);
    CHECK(activation_bytes_per_layer(m, gpt3_setup(R::Full, true)) == 2 * sbh / t);
  }
  SECTION("fp32 activations double everything") {
    TrainingSetup setup = gpt3_setup(R::Selective, true);
    setup.act_bytes = 4;
    CHECK_THAT(activation_bytes_per_layer(m, setup), WithinRel(68 * sbh / t, 1e-12));
  }
  SECTION("flash attention keeps no score matrix even without recompute") {
    TrainingSetup setup = gpt3_setup(R::None, true);
    setup.flash_attention = true;
    CHECK(activation_bytes_per_layer(m, setup) ==
          activation_bytes_per_layer(m, gpt3_setup(R::Selective, true)));
  }
}

TEST_CASE("the first pipeline stage holds pp micro-batches of its layers", "[workloads][memory]") {
  ModelShape m = test::gpt3_175b();
  TrainingSetup s = gpt3_setup(RecomputeMode::Selective, true);
  s.pp = 8;
  s.micro_batches = 64;
  const double sbh = 2048.0 * 12288, layer = 34 * sbh / 8;
  // 96/8 layers x 8 micro-batches in flight, plus the embedding output and mask (4sbh/t each).
  double expected = 96 * layer + 8 * 4 * sbh / 8;
  CHECK_THAT(training_memory_per_device(m, s).activations_bytes, WithinRel(expected, 1e-12));

  // Fewer micro-batches than stages: only those are in flight.
  s.micro_batches = 2;
  CHECK_THAT(training_memory_per_device(m, s).activations_bytes,
             WithinRel(12 * 2 * layer + 2 * 4 * sbh / 8, 1e-12));

  // Interleaving with v chunks keeps (1 + (p-1)/(pv)) times as much.
  s.micro_batches = 64;
  s.virtual_stages = 3;
  double interleave = 1 + 7.0 / (8 * 3);
  CHECK_THAT(training_memory_per_device(m, s).activations_bytes,
             WithinRel(96 * layer * interleave + 8 * 4 * sbh / 8, 1e-12));
}

TEST_CASE("without a pipeline the device also keeps the logits", "[workloads][memory]") {
  ModelShape m = test::llama3_8b();
  TrainingSetup s;
  s.flash_attention = false;
  s.seq_len = 8192;
  s.recompute = RecomputeMode::Full;
  double layers = 32 * 2.0 * 8192 * 4096;
  double embed = 4.0 * 8192 * 4096;
  double logits = 4.0 * 8192 * 128256;  // fp32
  CHECK_THAT(training_memory_per_device(m, s).activations_bytes,
             WithinRel(layers + embed + logits, 1e-12));
}

TEST_CASE("weights, gradients and optimizer state per device", "[workloads][memory]") {
  ModelShape m = test::llama2_7b();
  TrainingSetup s;
  s.flash_attention = false;
  s.zero_stage = 0;
  double n = parameter_count(m);
  auto mem = training_memory_per_device(m, s);
  CHECK_THAT(mem.weights_bytes, WithinRel(2 * n, 1e-12));
  CHECK_THAT(mem.gradients_bytes, WithinRel(4 * n, 1e-12));
  CHECK_THAT(mem.optimizer_bytes, WithinRel(12 * n, 1e-12));

  s.tp = 4;
  CHECK_THAT(training_memory_per_device(m, s).weights_bytes, WithinRel(2 * n / 4, 1e-12));

  // A pipeline's first stage: its layers and the embedding table, not the LM head.
  s.pp = 4;
  double stage = (8 * layer_parameters(m) + 32000.0 * 4096) / 4;
  CHECK_THAT(training_memory_per_device(m, s).weights_bytes, WithinRel(2 * stage, 1e-12));
}

TEST_CASE("ZeRO shards the right terms over data parallelism", "[workloads][memory][zero]") {
  ModelShape m = test::llama2_7b();
  TrainingSetup s;
  s.flash_attention = false;
  s.dp = 8;
  s.zero_stage = 0;
  auto none = training_memory_per_device(m, s);
  s.zero_stage = 1;
  auto z1 = training_memory_per_device(m, s);
  s.zero_stage = 2;
  auto z2 = training_memory_per_device(m, s);
  s.zero_stage = 3;
  auto z3 = training_memory_per_device(m, s);

  CHECK(z1.weights_bytes == none.weights_bytes);
  CHECK(z1.gradients_bytes == none.gradients_bytes);
  CHECK_THAT(z1.optimizer_bytes, WithinRel(none.optimizer_bytes / 8, 1e-12));

  CHECK(z2.weights_bytes == none.weights_bytes);
  CHECK_THAT(z2.gradients_bytes, WithinRel(none.gradients_bytes / 8, 1e-12));

  CHECK_THAT(z3.weights_bytes, WithinRel(none.weights_bytes / 8, 1e-12));
  CHECK(z3.activations_bytes == none.activations_bytes);
  // ZeRO-3 gathers a layer's full weights: the workspace grows by two layers.
  CHECK_THAT(z3.workspace_bytes - none.workspace_bytes,
             WithinRel(2 * layer_parameters(m) * 2, 1e-12));
  CHECK(none.workspace_bytes == 1 * kGiB);
}

TEST_CASE("expert parallelism divides the experts", "[workloads][memory][moe]") {
  ModelShape m = test::mixtral_8x7b();
  TrainingSetup s;
  s.flash_attention = false;
  s.zero_stage = 0;
  s.dp = 8;
  auto one = training_memory_per_device(m, s);
  s.ep = 8;
  auto ep = training_memory_per_device(m, s);
  double experts = 32 * 8 * mlp_parameters(m);
  CHECK_THAT(one.weights_bytes - ep.weights_bytes, WithinRel(2 * experts * 7 / 8, 1e-12));

  // ZeRO shards expert state over the expert data-parallel group only: dp / ep = 1 here.
  s.zero_stage = 1;
  auto zero = training_memory_per_device(m, s);
  double dense = parameter_count(m) - experts;
  CHECK_THAT(zero.optimizer_bytes, WithinRel(12 * (dense / 8 + experts / 8), 1e-12));
}

TEST_CASE("describe prints each part in GiB", "[workloads][memory]") {
  TrainingMemory mem;
  mem.weights_bytes = 12.34 * kGiB;
  mem.gradients_bytes = 1 * kGiB;
  mem.optimizer_bytes = 0.25 * kGiB;
  mem.activations_bytes = 3 * kGiB;
  mem.workspace_bytes = 1 * kGiB;
  CHECK(describe(mem) ==
        "weights 12.3 GiB, gradients 1.0 GiB, optimizer 0.2 GiB, activations 3.0 GiB, "
        "workspace 1.0 GiB, total 17.6 GiB");
}

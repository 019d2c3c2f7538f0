// The mixed-batch iteration cost: a uniform batch costs what the closed-form serving iteration
// gives it, and decode attention is exact in the sum of contexts.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "sim/cost/serving_batch_cost.hpp"
#include "tests/sim/engine_fixtures.hpp"

using namespace kcsim;
using Catch::Approx;

TEST_CASE("a uniform batch costs what serving_iteration gives it", "[serving][batch_cost]") {
  for (int tp : {1, 4}) {
    auto cluster = test::catalog_cluster("dgx-a100", 1);
    auto spec = test::serving(cluster, "llama2-13b", tp, 8, 512, 128);
    spec.runtime.dispatch_us = 20;
    spec.runtime.step_overhead_us = 1000;
    BatchCostModel model(cluster, spec);
    INFO("tp " << tp);

    MixedBatch prefill;
    prefill.prefill_chunks.assign(8, {512, 512});
    auto expected = serving_iteration(cluster, spec, 8, 512, 512);
    auto got = model.cost(prefill);
    CHECK(got.time_s() == Approx(expected.time_s()).epsilon(1e-9));
    CHECK(got.compute.flops == Approx(expected.compute.flops).epsilon(1e-9));
    CHECK(got.compute.bytes == Approx(expected.compute.bytes).epsilon(1e-9));
    CHECK(got.tp_comm_s == Approx(expected.tp_comm_s).epsilon(1e-12));
    CHECK(got.compute.memory_busy == Approx(expected.compute.memory_busy).epsilon(1e-9));

    MixedBatch decode;
    decode.decode_sequences = 8;
    decode.decode_context_sum = 8 * 600;
    expected = serving_iteration(cluster, spec, 8, 1, 600);
    got = model.cost(decode);
    CHECK(got.time_s() == Approx(expected.time_s()).epsilon(1e-9));
    CHECK(got.compute.bytes == Approx(expected.compute.bytes).epsilon(1e-9));
    // Cached: a second call gives the same.
    CHECK(model.cost(decode).time_s() == got.time_s());
  }
}

TEST_CASE("decode attention depends on the sum of contexts; mixing adds the parts",
          "[serving][batch_cost]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 8, 512, 128);
  BatchCostModel model(cluster, spec);
  MixedBatch skewed;
  skewed.decode_sequences = 2;
  skewed.decode_context_sum = 100 + 1900;
  auto uniform = serving_iteration(cluster, spec, 2, 1, 1000);
  CHECK(model.cost(skewed).compute.bytes == Approx(uniform.compute.bytes).epsilon(1e-12));

  // A prompt chunk riding with decodes costs more than the decodes alone and less than the
  // two iterations apart (the weights are read once).
  MixedBatch decodes;
  decodes.decode_sequences = 16;
  decodes.decode_context_sum = 16 * 800;
  MixedBatch chunk;
  chunk.prefill_chunks = {{256, 256}};
  MixedBatch both = decodes;
  both.prefill_chunks = chunk.prefill_chunks;
  double alone = model.cost(decodes).time_s(), chunk_alone = model.cost(chunk).time_s();
  double mixed = model.cost(both).time_s();
  CHECK(mixed > alone);
  CHECK(mixed < alone + chunk_alone);
  // Longer contexts cost more.
  MixedBatch longer = decodes;
  longer.decode_context_sum *= 4;
  CHECK(model.cost(longer).time_s() > model.cost(decodes).time_s());
}

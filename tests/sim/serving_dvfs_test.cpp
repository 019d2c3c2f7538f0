// A serving iteration under a device power cap: the fastest DVFS state whose draw fits, chosen
// from the iteration's own utilisation, slows compute-bound prefill about as 1/f and leaves
// memory-bound decode nearly alone; the draw at the chosen state stays under the cap.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "hw-models/power_model.hpp"
#include "sim/serving_dvfs.hpp"
#include "tests/sim/engine_fixtures.hpp"

using namespace kcsim;
using Catch::Matchers::WithinRel;

TEST_CASE("a device cap slows a prefill iteration about as 1/f and a decode iteration barely",
          "[sim][power][serving]") {
  auto cluster = test::catalog_cluster("dgx-h100", 1);
  auto spec = test::serving(cluster, "llama2-70b", 8, 8, 1500, 128);
  MixedBatch prefill;
  prefill.prefill_chunks = {{1500, 1500}, {1500, 1500}};
  MixedBatch decode;
  decode.decode_sequences = 8;
  decode.decode_context_sum = 8 * 1600;

  DvfsBatchCost free_run(cluster, spec);
  spec.device_power_cap_w = 350;
  DvfsBatchCost capped(cluster, spec);
  const auto& states = capped.states();

  auto p0 = free_run.price(prefill, false), p1 = capped.price(prefill, false);
  auto d0 = free_run.price(decode, false), d1 = capped.price(decode, false);
  CHECK(p0.first_state == 0);
  CHECK(d0.first_state == 0);
  double f_prefill = states[static_cast<size_t>(p1.first_state)].speed;
  double f_decode = states[static_cast<size_t>(d1.first_state)].speed;
  INFO("prefill at " << f_prefill << ", decode at " << f_decode);
  REQUIRE(f_prefill < 1.0);
  CHECK(f_decode > f_prefill);

  // Prefill's time at the compute roof stretches as 1/f; its memory-bound kernels, the
  // all-reduces and the host do not, so the iteration slows by less than 1/f, but by much.
  const auto& pc0 = p0.cost[0].compute;
  const auto& pc1 = p1.cost[p1.first_state].compute;
  CHECK_THAT(pc1.compute_s / pc0.compute_s, WithinRel(1 / f_prefill, 1e-9));
  double prefill_ratio = p1.cost[p1.first_state].time_s() / p0.cost[0].time_s();
  CHECK(prefill_ratio > 0.75 / f_prefill);
  CHECK(prefill_ratio <= 1.0 / f_prefill + 1e-9);
  double decode_ratio = d1.cost[d1.first_state].time_s() / d0.cost[0].time_s();
  CHECK(decode_ratio < 1.05);

  // The draw while computing at the chosen state fits the cap; the state above it would not.
  for (const auto* it : {&p1, &d1}) {
    auto s = static_cast<size_t>(it->first_state);
    const auto& c = it->cost[s].compute;
    CHECK(device_power(cluster.chip, DeviceActivity::of(c, states[s].speed)).total_w() <= 350);
    CHECK(it->power_w[s] <= 350);
    CHECK_THAT(it->power_w[s] * it->cost[s].time_s(), WithinRel(it->energy[s].total_j(), 1e-12));
  }
  auto above = static_cast<size_t>(p1.first_state - 1);
  spec.device_power_cap_w = 0;
  DvfsBatchCost free_all(cluster, spec);
  auto every = free_all.price(prefill, true);
  CHECK(
      device_power(cluster.chip, DeviceActivity::of(every.cost[above].compute, states[above].speed))
          .total_w() > 350);
  // Uncapped, the nominal state costs what the batch cost model gives.
  BatchCostModel plain(cluster, test::serving(cluster, "llama2-70b", 8, 8, 1500, 128));
  CHECK(every.cost[0].time_s() == plain.cost(prefill).time_s());
  // Slower states are slower and draw less.
  for (size_t s = 1; s < every.states(); ++s) {
    CHECK(every.cost[s].time_s() > every.cost[s - 1].time_s());
    CHECK(every.power_w[s] < every.power_w[s - 1]);
  }
}

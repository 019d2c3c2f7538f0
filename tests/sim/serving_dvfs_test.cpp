// A serving iteration under a device power cap: the fastest DVFS state whose draw fits, chosen
// from the iteration's own work, slows compute-bound prefill about as 1/f and leaves
// memory-bound decode nearly alone; the draw at the chosen state stays under the cap.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "hw-models/power_model.hpp"
#include "sim/power/serving_dvfs.hpp"
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

  auto p0 = *free_run.price(prefill, false), p1 = *capped.price(prefill, false);
  auto d0 = *free_run.price(decode, false), d1 = *capped.price(decode, false);
  // Without a cap the TDP is the limit: decode runs at the nominal clock.
  CHECK(d0.first_state == 0);
  CHECK(p0.power_w[static_cast<size_t>(p0.first_state)] <= cluster.chip.tdp_w() * (1 + 1e-9));
  auto at = [](const IterationAtStates& it) { return static_cast<size_t>(it.first_state); };
  double f_prefill = p1.speed[at(p1)], f_prefill_free = p0.speed[at(p0)];
  double f_decode = d1.speed[at(d1)];
  INFO("prefill at " << f_prefill << " (" << f_prefill_free << " under the TDP), decode at "
                     << f_decode);
  REQUIRE(f_prefill < f_prefill_free);
  CHECK(f_decode > f_prefill);

  // Prefill's time at the compute roof stretches as the clock falls; its memory-bound kernels,
  // the all-reduces and the host do not, so the iteration slows by less, but by much.
  const auto& pc0 = p0.cost[at(p0)].compute;
  const auto& pc1 = p1.cost[at(p1)].compute;
  double clock_ratio = f_prefill_free / f_prefill;
  CHECK_THAT(pc1.compute_s / pc0.compute_s, WithinRel(clock_ratio, 0.02));
  double prefill_ratio = p1.cost[at(p1)].time_s() / p0.cost[at(p0)].time_s();
  CHECK(prefill_ratio > 1 + 0.5 * (clock_ratio - 1));
  CHECK(prefill_ratio <= clock_ratio * 1.02);
  double decode_ratio = d1.cost[at(d1)].time_s() / d0.cost[0].time_s();
  CHECK(decode_ratio < 1.05);
  CHECK(decode_ratio < prefill_ratio);

  // The draw over the iteration at the chosen state fits the cap (the limiter acts over
  // milliseconds: the collectives and host waits run at the compute's clock); the state above
  // it would not.
  for (const auto* it : {&p1, &d1}) {
    auto s = at(*it);
    CHECK(it->power_w[s] <= 350 * (1 + 1e-9));
    CHECK(iteration_device_power_w(cluster.chip, it->cost[s]) <= 350 * (1 + 1e-9));
    CHECK_THAT(it->power_w[s] * it->cost[s].time_s(), WithinRel(it->energy[s].total_j(), 1e-12));
  }
  spec.device_power_cap_w = 0;
  DvfsBatchCost free_all(cluster, spec);
  auto every = *free_all.price(prefill, true);
  auto above = at(p1) - 1;
  CHECK(every.power_w[above] > 350);
  // Slower states are slower and draw less.
  for (size_t s = at(every) + 1; s < every.states(); ++s) {
    CHECK(every.cost[s].time_s() > every.cost[s - 1].time_s());
    CHECK(every.power_w[s] < every.power_w[s - 1]);
  }
  // Uncapped, the nominal state of a decode step costs what the batch cost model gives.
  BatchCostModel plain(cluster, test::serving(cluster, "llama2-70b", 8, 8, 1500, 128));
  CHECK(d0.cost[0].time_s() == plain.cost(decode).time_s());
}

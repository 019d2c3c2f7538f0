// The cluster cap's state machine off the engine: a running iteration moved to a slower state
// keeps its progress, the steps go to prefill before decode, and the recorded power integrates
// to the iterations' energy.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "hw-models/power_model.hpp"
#include "sim/power/serving_power_cap.hpp"
#include "tests/sim/engine_fixtures.hpp"

using namespace kcsim;
using Catch::Matchers::WithinRel;

namespace {

// A prompt of 4,096 tokens and a decode step of 64 sequences at 1,024 tokens of context, each
// priced at every DVFS state of an H100.
struct PrefillAndDecode {
  ClusterModel cluster = test::catalog_cluster("dgx-h100", 1);
  std::shared_ptr<const IterationAtStates> prefill, decode;
  PrefillAndDecode() {
    DvfsBatchCost costs(cluster, test::serving(cluster, "llama3-8b", 1, 1, 2048, 128));
    MixedBatch p;
    p.prefill_chunks = {{4096, 4096}};
    MixedBatch d;
    d.decode_sequences = 64;
    d.decode_context_sum = 64 * 1024;
    prefill = costs.price(p, true);
    decode = costs.price(d, true);
  }
};

}  // namespace

TEST_CASE("a moved iteration keeps its progress and the cap goes to prefill first",
          "[sim][power]") {
  PrefillAndDecode work;
  const auto& cluster = work.cluster;
  const auto& p = work.prefill;
  const auto& d = work.decode;
  double held = held_idle_w(cluster.chip);
  // Room for the prefill at full clock alone, not beside the decode.
  double cap = p->power_w[0] + d->power_w[0] - 20;
  ClusterPowerCap power(cluster.chip, 1, 2, 0, cap, true);
  CHECK_THAT(power.floor_w(), WithinRel(2 * held, 1e-12));

  power.start(0, 0.0, p);
  CHECK(power.moved().empty());
  CHECK_THAT(power.remaining_s(0), WithinRel(p->cost[0].time_s(), 1e-12));
  // Halfway through the prefill, a decode starts: the prefill steps down, the decode does not.
  double half = p->cost[0].time_s() / 2;
  power.start(1, half, d);
  REQUIRE(power.moved() == std::vector<int>{0});
  double left = power.remaining_s(0);
  CHECK(left > half);  // the second half at a slower clock
  CHECK_THAT(power.remaining_s(1), WithinRel(d->cost[0].time_s(), 1e-12));
  double d_end = half + d->cost[0].time_s();
  REQUIRE(d_end < half + left);
  IterationDone dd = power.finish(1, d_end);
  CHECK_FALSE(dd.throttled);
  CHECK(dd.speed == 1.0);
  // The decode gone, the prefill gets its clock back for what is left.
  REQUIRE(power.moved() == std::vector<int>{0});
  double p_end = d_end + power.remaining_s(0);
  IterationDone pd = power.finish(0, p_end);
  CHECK(pd.throttled);
  CHECK(pd.speed < 1.0);
  CHECK_THAT(pd.duration_s, WithinRel(p_end, 1e-12));
  CHECK(p_end > p->cost[0].time_s());
  // Its energy: each stretch at its state's draw for the share of the work it did.
  power.end(p_end);
  double integral = 0;
  const auto& samples = power.samples();
  for (size_t i = 0; i < samples.size(); ++i) {
    double until = i + 1 < samples.size() ? samples[i + 1].time_s : p_end;
    integral += samples[i].power_w * (until - samples[i].time_s);
    CHECK(samples[i].power_w <= cap);
  }
  double accounted = pd.energy.total_j() + dd.energy.total_j() + held * (p_end - dd.duration_s);
  CHECK_THAT(integral, WithinRel(accounted, 1e-12));
  CHECK(power.throttled_iterations() == 1);
  CHECK(power.peak_w() <= cap);
}

TEST_CASE("past the slowest states the running iterations stretch until the sum fits",
          "[sim][power]") {
  auto cluster = test::catalog_cluster("dgx-h100", 1);
  auto spec = test::serving(cluster, "llama3-8b", 1, 1, 2048, 128);
  DvfsBatchCost costs(cluster, spec);
  MixedBatch prefill;
  prefill.prefill_chunks = {{4096, 4096}};
  auto p = costs.price(prefill, true);
  double held = held_idle_w(cluster.chip);
  double slowest = p->power_w.back();
  double cap = held + (slowest - held) / 2;  // half the slowest state's draw above the floor
  ClusterPowerCap power(cluster.chip, 1, 1, 0, cap, false);
  power.start(0, 0.0, p);
  // Stretched twice as long at the slowest state.
  CHECK_THAT(power.remaining_s(0), WithinRel(2 * p->cost.back().time_s(), 1e-9));
  IterationDone done = power.finish(0, power.remaining_s(0));
  CHECK(done.power_w <= cap * (1 + 1e-12));
  CHECK_THAT(done.energy.total_j(),
             WithinRel(p->energy.back().total_j() + held * p->cost.back().time_s(), 1e-9));
}

TEST_CASE("a finish settled at the next start moves the others once, to the same pace",
          "[sim][power]") {
  PrefillAndDecode work;
  const auto& cluster = work.cluster;
  const auto& p = work.prefill;
  const auto& d = work.decode;
  double cap = p->power_w[0] + d->power_w[0] - 20;
  // Replica 1 decodes, finishes at `t` and decodes again at once, beside a running prefill.
  auto run = [&](bool settle_at_finish) {
    ClusterPowerCap power(cluster.chip, 1, 2, 0, cap, true);
    // The prefill's end, as the engine keeps it: set again whenever the prefill moves.
    double p_end = 0;
    auto follow = [&](double now) {
      for (int r : power.moved()) {
        if (r == 0) p_end = now + power.remaining_s(0);
      }
    };
    power.start(0, 0.0, p);
    p_end = power.remaining_s(0);
    power.start(1, 0.0, d);
    follow(0.0);
    double t = d->cost[0].time_s();
    power.finish(1, t, settle_at_finish);
    // Settled at once, the prefill speeds up for no time and slows down again; deferred, it
    // keeps its pace and does not move.
    CHECK(power.moved().size() == (settle_at_finish ? 1u : 0u));
    follow(t);
    power.start(1, t, d);
    CHECK(power.moved().size() == (settle_at_finish ? 1u : 0u));
    follow(t);
    IterationDone done = power.finish(0, p_end);
    power.end(p_end);
    return std::make_tuple(p_end, done.energy.total_j(), done.speed, power.samples().size(),
                           power.peak_w());
  };
  auto [end_now, energy_now, speed_now, samples_now, peak_now] = run(true);
  auto [end_later, energy_later, speed_later, samples_later, peak_later] = run(false);
  CHECK_THAT(end_later, WithinRel(end_now, 1e-12));
  CHECK_THAT(energy_later, WithinRel(energy_now, 1e-12));
  CHECK_THAT(speed_later, WithinRel(speed_now, 1e-12));
  CHECK(samples_later == samples_now);
  CHECK(peak_later == peak_now);

  // A replica that finishes and waits: settle() moves the others, and only once.
  ClusterPowerCap power(cluster.chip, 1, 2, 0, cap, false);
  power.start(0, 0.0, p);
  power.start(1, 0.0, d);
  double before = power.remaining_s(0);
  double t = d->cost[0].time_s();
  power.finish(1, t, false);
  CHECK(power.moved().empty());
  CHECK(power.remaining_s(0) == before);  // no pace has moved yet
  CHECK(power.settle(t));
  REQUIRE(power.moved() == std::vector<int>{0});
  CHECK(t + power.remaining_s(0) < before);  // the prefill has its clock back
  CHECK_FALSE(power.settle(t));
  CHECK(power.moved().empty());
}

// The cluster-wide power cap: never exceeded at any sample, as the load moves between devices.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "hw-models/power_model.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/power/incremental_governor.hpp"
#include "sim/power/power_governor.hpp"
#include "tests/sim/engine_fixtures.hpp"

using namespace kcsim;
using namespace kcsim::test;

TEST_CASE("the governor keeps a server under its cap as prefill bursts move", "[sim][power]") {
  auto cluster = catalog_cluster("dgx-h100", 1);
  const auto& chip = cluster.chip;
  auto spec = serving(cluster, "llama3-8b", 1, 8, 2048, 256);
  // Work at a DVFS state: a prefill of 8 prompts, or a decode step of 8 sequences.
  auto prefill = [&](const DvfsPoint& state) {
    ServingSpec at = spec;
    at.state = state;
    return serving_iteration(cluster, at, 8, 2048, 2048).compute;
  };
  auto decode = [&](const DvfsPoint& state) {
    ServingSpec at = spec;
    at.state = state;
    return serving_iteration(cluster, at, 8, 1, 2048).compute;
  };
  const double cap = 3500;  // 8 devices would draw about 5.6 kW at full prefill
  PowerGovernor governor(chip, cap);
  // Each device's own limit (its TDP) rules out the states above the first that fits it.
  auto within_tdp = [&](DeviceDemand d) {
    while (d.power_w[static_cast<size_t>(d.first_state)] > chip.tdp_w()) ++d.first_state;
    return d;
  };
  DeviceDemand prefill_demand = within_tdp(governor.demand_of(prefill));
  DeviceDemand decode_demand = within_tdp(governor.demand_of(decode));
  DeviceDemand waiting = governor.demand_of(nullptr);
  REQUIRE(prefill_demand.power_w.front() > decode_demand.power_w.front());
  REQUIRE(decode_demand.first_state == 0);

  // 64 samples: each device in turn prefills, a moving set of others decodes or waits.
  int slowed_prefill = 0, slowed_decode = 0;
  for (int t = 0; t < 64; ++t) {
    std::vector<DeviceDemand> demands;
    std::vector<char> role;
    for (int d = 0; d < 8; ++d) {
      int phase = (d + t) % 8;
      char r = phase < 3 ? 'p' : phase < 7 ? 'd' : 'w';
      role.push_back(r);
      demands.push_back(r == 'p' ? prefill_demand : r == 'd' ? decode_demand : waiting);
    }
    GovernorDecision decision = governor.decide(demands);
    REQUIRE(decision.under_cap);
    double sum = 0;
    for (int d = 0; d < 8; ++d) {
      double w = demands[d].power_w[decision.state[d]];
      CHECK(w <= chip.tdp_w());
      sum += w;
      if (decision.state[d] > 0) (role[d] == 'p' ? slowed_prefill : slowed_decode)++;
    }
    CHECK(sum <= cap);
    CHECK_THAT(sum, Catch::Matchers::WithinRel(decision.total_w, 1e-9));
  }
  // Compute-bound prefill gives up its clock before memory-bound decode does.
  CHECK(slowed_prefill > 0);
  CHECK(slowed_decode < slowed_prefill);
}

TEST_CASE("a cap below the devices' floor is reported, not hidden", "[sim][power]") {
  auto cluster = catalog_cluster("dgx-h100", 1);
  PowerGovernor governor(cluster.chip, 500);
  std::vector<DeviceDemand> demands(8, governor.demand_of(nullptr));
  GovernorDecision decision = governor.decide(demands);
  CHECK_FALSE(decision.under_cap);
  CHECK(decision.total_w > 500);
}

namespace {

// The greedy written plainly: scan every device for the best next step, one step at a time.
std::vector<int> plain_greedy(const std::vector<DeviceDemand>& demands,
                              const std::vector<DvfsPoint>& states, double cap_w) {
  std::vector<int> state(demands.size());
  double total = 0;
  for (size_t i = 0; i < demands.size(); ++i) {
    state[i] = demands[i].first_state;
    total += demands[i].power_w[static_cast<size_t>(state[i])];
  }
  while (total > cap_w) {
    int best = -1;
    double best_gain = 0;
    for (size_t i = 0; i < demands.size(); ++i) {
      auto s = static_cast<size_t>(state[i]);
      const auto& watts = demands[i].power_w;
      if (s + 1 >= watts.size() || s + 1 >= states.size()) continue;
      double saved = watts[s] - watts[s + 1];
      double lost = states[s].speed - states[s + 1].speed;
      double gain = lost > 0 ? saved / lost : saved;
      if (!(saved > 0 && gain > 0)) continue;
      if (best < 0 || gain > best_gain) best = static_cast<int>(i), best_gain = gain;
    }
    if (best < 0) break;
    auto s = static_cast<size_t>(state[static_cast<size_t>(best)]);
    total -= demands[static_cast<size_t>(best)].power_w[s] -
             demands[static_cast<size_t>(best)].power_w[s + 1];
    ++state[static_cast<size_t>(best)];
  }
  return state;
}

// A deterministic stream of numbers in [0, 1).
struct Draws {
  unsigned seed;
  double next() {
    seed = seed * 1103515245u + 12345u;
    return static_cast<double>((seed >> 8) % 1000) / 1000.0;
  }
};

// A device's draw at each of `states` states: falling by uneven savings, and with probability
// 1 - `falling` rising by up to `rise` W instead (so that the gains are not monotone); one time
// in five barred from the states above `first`.
DeviceDemand random_demand(Draws& draws, size_t states, double falling, double rise, int first) {
  DeviceDemand d;
  double w = 300 + 400 * draws.next();
  for (size_t s = 0; s < states; ++s) {
    d.power_w.push_back(w);
    w -= draws.next() < falling ? 10 * draws.next() : -rise * draws.next();
  }
  d.first_state = draws.next() < 0.2 ? first : 0;
  return d;
}

}  // namespace

TEST_CASE("the governor's states are the plain greedy's, step for step", "[sim][power]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  PowerGovernor probe(cluster.chip, 1000);
  const auto& states = probe.states();
  // Demands of every shape: draws falling with the state at uneven savings (now and then flat or
  // rising), equal gains on several devices, devices barred from their fastest states.
  Draws draws{12345};
  for (int trial = 0; trial < 200; ++trial) {
    INFO("trial " << trial);
    int devices = 1 + trial % 17;
    std::vector<DeviceDemand> demands(static_cast<size_t>(devices));
    double top = 0;
    for (auto& d : demands) {
      d = random_demand(draws, states.size(), 0.9, 2, static_cast<int>(states.size() / 4));
    }
    // Every fifth device a copy of the first, so that gains tie.
    for (size_t i = 5; i < demands.size(); i += 5) demands[i] = demands[0];
    for (const auto& d : demands) top += d.power_w[static_cast<size_t>(d.first_state)];
    double cap = top * (0.3 + 0.7 * draws.next());
    PowerGovernor governor(cluster.chip, cap);
    CHECK(governor.decide(demands).state == plain_greedy(demands, states, cap));
  }
}

TEST_CASE("the incremental governor decides as the greedy does, change after change",
          "[sim][power]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  PowerGovernor probe(cluster.chip, 1000);
  const auto& states = probe.states();
  Draws draws{777};
  auto next = [&draws] { return draws.next(); };
  // A demand whose gains are not monotone, or a device waiting with a single state.
  auto any_demand = [&] {
    if (next() < 0.25) {
      DeviceDemand waiting;
      waiting.power_w.assign(1, 100 + 50 * next());
      return waiting;
    }
    return random_demand(draws, states.size(), 0.85, 3, static_cast<int>(states.size() / 3));
  };
  for (int trial = 0; trial < 20; ++trial) {
    INFO("trial " << trial);
    size_t devices = 1 + static_cast<size_t>(trial) % 17;
    std::vector<DeviceDemand> demands(devices);
    for (auto& d : demands) d = any_demand();
    double top = 0;
    for (const auto& d : demands) top += d.power_w[static_cast<size_t>(d.first_state)];
    PowerGovernor governor(cluster.chip, top * (0.3 + 0.6 * next()));
    IncrementalGovernor incremental(governor, devices);
    for (size_t i = 0; i < devices; ++i) incremental.edit(i) = demands[i];
    for (int change = 0; change < 300; ++change) {
      INFO("change " << change);
      GovernorDecision expected = governor.decide(demands);
      const GovernorDecision& got = incremental.decide();
      REQUIRE(got.state == expected.state);
      CHECK(got.under_cap == expected.under_cap);
      CHECK_THAT(got.total_w, Catch::Matchers::WithinRel(expected.total_w, 1e-9));
      // One or two devices change, as iterations start and end; now and then a copy of
      // another's demand, so that gains tie across devices.
      for (int k = 0; k < 1 + change % 2; ++k) {
        auto i = static_cast<size_t>(next() * static_cast<double>(devices)) % devices;
        demands[i] = next() < 0.15 ? demands[(i + 1) % devices] : any_demand();
        incremental.edit(i) = demands[i];
      }
    }
  }
}

TEST_CASE("a sum that lands on the cap is decided by the plain greedy", "[sim][power]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  PowerGovernor probe(cluster.chip, 1000);
  size_t n = probe.states().size();
  // Two devices whose every step saves 10 W: a cap of the top minus whole steps lands on it.
  DeviceDemand d;
  for (size_t s = 0; s < n; ++s) d.power_w.push_back(400 - 10 * static_cast<double>(s));
  std::vector<DeviceDemand> demands{d, d};
  PowerGovernor governor(cluster.chip, 800 - 70);
  IncrementalGovernor incremental(governor, 2);
  incremental.edit(0) = d;
  incremental.edit(1) = d;
  CHECK(incremental.decide().state == governor.decide(demands).state);
  CHECK(incremental.exact_fallbacks() == 1);
  int taken = incremental.decide().state[0] + incremental.decide().state[1];
  CHECK(taken == 7);
}

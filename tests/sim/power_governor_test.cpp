// The cluster-wide power cap: never exceeded at any sample, as the load moves between devices.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "hw-models/power_model.hpp"
#include "sim/analytical_serving.hpp"
#include "sim/power_governor.hpp"
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

// Energy on the event engine: the observer's joules against the analytical engine and against
// the power counters of the trace.
#include <filesystem>
#include <fstream>
#include <map>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <nlohmann/json.hpp>

#include "sim/engines/analytical/analytical_training.hpp"
#include "sim/engines/event/event_training.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::WithinRel;
using namespace kcsim;
using namespace kcsim::test;

TEST_CASE("on a steady workload the engines' energy agrees within 3 %", "[event][energy]") {
  // Two servers on a rail-optimized network: tensor parallelism inside each, a pipeline between.
  auto config = catalog().cluster("dgx-a100");
  config.set_nodes(2);
  config.mutable_scale_out()->set_kind("rail-optimized");
  auto cluster = resolve_cluster(config, catalog());
  auto spec = training(cluster, "llama2-13b", 8, 2, 16);
  auto analytical = simulate_training_analytical(cluster, spec);
  auto event = simulate_training_event(cluster, spec);
  INFO("iteration " << analytical.iteration_time_s << " s vs " << event.iteration_time_s << " s");
  CHECK_THAT(event.energy.facility_j, WithinRel(analytical.energy.facility_j, 0.03));
  CHECK_THAT(event.energy.device_j + event.energy.memory_j,
             WithinRel(analytical.energy.device_j + analytical.energy.memory_j, 0.03));
  CHECK_THAT(event.avg_device_power_w, WithinRel(analytical.avg_device_power_w, 0.03));
  CHECK(event.avg_device_power_w <= cluster.chip.tdp_w());
}

TEST_CASE("reported device energy equals the integral of the trace's power samples",
          "[event][energy][trace]") {
  auto cluster = catalog_cluster("dgx-a100", 2);
  auto spec = training(cluster, "llama2-13b", 8, 2, 4);
  auto path = std::filesystem::temp_directory_path() / "kcsim-event-energy-test.json";
  std::filesystem::remove(path);
  EventOptions options;
  options.trace_out = path.string();
  auto result = simulate_training_event(cluster, spec, options);
  std::ifstream in(path);
  auto trace = nlohmann::json::parse(in);
  std::filesystem::remove(path);

  // Per device process: its power steps (timestamps in microseconds), in file order.
  std::map<int, std::vector<std::pair<double, double>>> steps;
  for (const auto& event : trace["traceEvents"]) {
    if (event["ph"] != "C" || !event["args"].contains("W")) continue;
    double w = event["args"]["W"].get<double>();
    CHECK(w <= cluster.chip.tdp_w());
    steps[event["pid"].get<int>()].emplace_back(event["ts"].get<double>() * 1e-6, w);
  }
  REQUIRE(steps.size() == 16);
  double end = result.iteration_time_s, joules = 0;
  for (const auto& [pid, samples] : steps) {
    for (size_t i = 0; i < samples.size(); ++i) {
      double until = i + 1 < samples.size() ? samples[i + 1].first : end;
      joules += samples[i].second * (until - samples[i].first);
    }
  }
  CHECK_THAT(joules, WithinRel(result.energy.device_j + result.energy.memory_j, 1e-4));
}

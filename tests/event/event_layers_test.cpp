// Layer-by-layer data-parallel steps (ASTRA-sim-style workloads): the closed form, the event
// engine against it, the team's sample against ASTRA-sim, and bad input.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>
#include <utility>
#include <vector>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/engines/analytical/analytical_layers.hpp"
#include "sim/engines/event/event_layers.hpp"
#include "sim/engines/event_options.hpp"
#include "sim/jobs/layer_workload.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

// The shipped sample scenario: its cluster resized to `nodes` servers of 8, and its workload.
struct Sample {
  ClusterModel cluster;
  config::LayerWorkload job;
};

Sample sample(int nodes) {
  config::Scenario scenario;
  config::LoadedFile::parse(KCSIM_SOURCE_DIR "/configs/scenarios/dp-sample.textproto", &scenario);
  auto cluster = scenario.clusters(0);
  cluster.set_nodes(nodes);
  return {resolve_cluster(cluster, test::catalog()), scenario.layer_workload()};
}

config::LayerWorkload uniform(int layers, double forward_ms, double backward_ms, double bytes) {
  config::LayerWorkload job;
  auto* layer = job.add_layers();
  layer->set_forward_ms(forward_ms);
  layer->set_backward_ms(backward_ms);
  layer->set_gradient_bytes(bytes);
  job.set_repeat(layers);
  return job;
}

}  // namespace

TEST_CASE("the data-parallel sample is within 5 % of ASTRA-sim's 72.43 ms", "[event][layers]") {
  auto s = sample(2);
  auto spec = layer_workload_spec(s.job, s.cluster, {});
  auto event = simulate_layers_event(spec, s.cluster);
  CHECK(event.devices == 16);
  CHECK(event.layers == 24);
  CHECK(event.network_model == "CM02");
  CHECK_THAT(event.step_time_s, WithinRel(72.43e-3, 0.05));
  CHECK_THAT(event.compute_s, WithinRel(72e-3, 1e-9));
  // Contention-free: the flows take their closed-form time.
  CHECK_THAT(event.step_time_s,
             WithinRel(simulate_layers_analytical(spec, s.cluster).step_time_s, 0.01));
  REQUIRE_FALSE(event.busiest_links.empty());
}

TEST_CASE("the engines agree on a rail-optimized network of 64 devices", "[event][layers]") {
  auto s = sample(8);
  auto spec = layer_workload_spec(s.job, s.cluster, {});
  CHECK_THAT(simulate_layers_event(spec, s.cluster).step_time_s,
             WithinRel(simulate_layers_analytical(spec, s.cluster).step_time_s, 0.01));
}

TEST_CASE("the sample's rings never meet: the timeline without flows equals the flows'",
          "[event][layers]") {
  // Every algorithm between servers runs over the rings' neighbours; mixed layer sizes and a
  // layer without gradients make the all-reduces queue and skip.
  std::vector<std::pair<int, std::string>> runs = {
      {2, "ring"}, {8, "ring"}, {40, "ring"}, {8, "tree"}, {8, "halving-doubling"}, {8, "auto"}};
  for (const auto& [nodes, algorithm] : runs) {
    INFO(nodes << " servers, " << algorithm);
    auto s = sample(nodes);
    s.job.set_collective_algorithm(algorithm);
    auto* small = s.job.add_layers();
    small->set_forward_ms(0.5);
    small->set_backward_ms(0.5);
    small->set_gradient_bytes(1 << 20);
    auto* frozen = s.job.add_layers();
    frozen->set_forward_ms(0.5);
    frozen->set_backward_ms(1);
    auto spec = layer_workload_spec(s.job, s.cluster, {});
    EventOptions flows;
    flows.actor_per_device = true;
    auto with_flows = simulate_layers_event(spec, s.cluster, flows);
    auto lone = simulate_layers_event(spec, s.cluster);
    CHECK_THAT(lone.step_time_s, WithinRel(with_flows.step_time_s, 1e-12));
    CHECK_THAT(lone.exposed_comm_s, WithinRel(with_flows.exposed_comm_s, 1e-12));
    REQUIRE(lone.busiest_links.size() == with_flows.busiest_links.size());
    for (size_t i = 0; i < lone.busiest_links.size(); ++i) {
      CHECK(lone.busiest_links[i].name == with_flows.busiest_links[i].name);
      CHECK_THAT(lone.busiest_links[i].bytes, WithinRel(with_flows.busiest_links[i].bytes, 1e-14));
    }
  }
}

TEST_CASE("the closed form: hidden all-reduces leave the last one exposed", "[sim][layers]") {
  auto s = sample(2);
  // Short all-reduces hide behind the next backward: only the last is exposed.
  auto small = layer_workload_spec(uniform(24, 1, 2, 1 << 20), s.cluster, {});
  double reduce = layer_all_reduce_s(small, s.cluster, 1 << 20);
  REQUIRE(reduce < 2e-3);
  auto r = simulate_layers_analytical(small, s.cluster);
  CHECK_THAT(r.step_time_s, WithinRel(72e-3 + reduce, 1e-12));
  CHECK_THAT(r.comm_total_s, WithinRel(24 * reduce, 1e-12));
  // All-reduces longer than a backward queue on the stream: the step is the first backward,
  // then every all-reduce one after another.
  double big_bytes = 4e9;
  auto big = layer_workload_spec(uniform(24, 1, 2, big_bytes), s.cluster, {});
  double slow = layer_all_reduce_s(big, s.cluster, big_bytes);
  REQUIRE(slow > 2e-3);
  CHECK_THAT(simulate_layers_analytical(big, s.cluster).step_time_s,
             WithinRel(24e-3 + 2e-3 + 24 * slow, 1e-12));
  // No gradients: compute alone.
  auto none = layer_workload_spec(uniform(24, 1, 2, 0), s.cluster, {});
  CHECK_THAT(simulate_layers_analytical(none, s.cluster).step_time_s, WithinRel(72e-3, 1e-12));
  CHECK(simulate_layers_analytical(none, s.cluster).exposed_comm_s == 0);
}

TEST_CASE("queued all-reduces on the event engine take the closed-form time", "[event][layers]") {
  auto s = sample(2);
  auto big = layer_workload_spec(uniform(4, 1, 2, 4e9), s.cluster, {});
  CHECK_THAT(simulate_layers_event(big, s.cluster).step_time_s,
             WithinRel(simulate_layers_analytical(big, s.cluster).step_time_s, 0.01));
}

TEST_CASE("a bad layer workload names its field", "[sim][layers]") {
  auto s = sample(2);
  auto negative = uniform(2, -1, 2, 0);
  CHECK_THROWS_WITH(layer_workload_spec(negative, s.cluster, {}),
                    ContainsSubstring("layers[0].forward_ms"));
  auto empty = config::LayerWorkload();
  CHECK_THROWS_WITH(layer_workload_spec(empty, s.cluster, {}), ContainsSubstring("layers"));
  auto partial = uniform(2, 1, 2, 0);
  partial.set_devices(12);
  CHECK_THROWS_WITH(layer_workload_spec(partial, s.cluster, {}),
                    ContainsSubstring("whole number of 8-device servers"));
  auto algorithm = uniform(2, 1, 2, 0);
  algorithm.set_collective_algorithm("butterfly");
  CHECK_THROWS_AS(layer_workload_spec(algorithm, s.cluster, {}), InputError);
}

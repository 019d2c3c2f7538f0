// The event engine against the analytical one, and what only the event engine can show.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <nlohmann/json.hpp>

#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"
#include "sim/engines/analytical/analytical_training.hpp"
#include "sim/engines/event/event_training.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;
using namespace kcsim::test;

namespace {

// DGX A100 servers on a scale-out network of the given kind and oversubscription.
ClusterModel dgx_cluster(int nodes, const std::string& network, double oversubscription = 1) {
  auto config = catalog().cluster("dgx-a100");
  config.set_nodes(nodes);
  config.mutable_scale_out()->set_kind(network);
  config.mutable_scale_out()->set_oversubscription(oversubscription);
  return resolve_cluster(config, catalog());
}

}  // namespace

TEST_CASE("the engines agree within 3 % on contention-free plans", "[event][training]") {
  SECTION("tensor parallelism inside one server") {
    auto cluster = dgx_cluster(1, "rail-optimized");
    auto spec = training(cluster, "megatron-22b", 8, 1, 4);
    double analytical = simulate_training_analytical(cluster, spec).iteration_time_s;
    CHECK_THAT(simulate_training_event(cluster, spec).iteration_time_s,
               WithinRel(analytical, 0.03));
  }
  SECTION("tensor, pipeline and data parallelism on a rail-optimized network") {
    auto cluster = dgx_cluster(16, "rail-optimized");
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
    auto analytical = simulate_training_analytical(cluster, spec);
    auto event = simulate_training_event(cluster, spec);
    CHECK(event.dp == 2);
    CHECK_THAT(event.iteration_time_s, WithinRel(analytical.iteration_time_s, 0.03));
    CHECK(event.engine == "event");
    CHECK(event.network_model == "CM02");
  }
}

TEST_CASE("one simulated replica gives what the full run gives", "[event][training]") {
  auto cluster = dgx_cluster(16, "rail-optimized");
  auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
  auto full = simulate_training_event(cluster, spec);
  EventOptions reduced;
  reduced.reduce_symmetry = true;
  auto one = simulate_training_event(cluster, spec, reduced);
  CHECK_THAT(one.iteration_time_s, WithinRel(full.iteration_time_s, 0.01));
}

TEST_CASE("a tensor-parallel group run as one actor gives what an actor per device gives",
          "[event][training]") {
  // Pipeline sends between servers over the rails and gradient rings across replicas: every
  // rank's flows still run, only the group's compute and private rings are one actor's.
  auto cluster = dgx_cluster(16, "rail-optimized");
  auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
  auto grouped = simulate_training_event(cluster, spec);
  EventOptions apart;
  apart.actor_per_device = true;
  auto each = simulate_training_event(cluster, spec, apart);
  CHECK_THAT(grouped.iteration_time_s, WithinRel(each.iteration_time_s, 1e-9));
  CHECK_THAT(grouped.time.bubble_s, WithinAbs(each.time.bubble_s, 1e-9));
  CHECK_THAT(grouped.time.pp_comm_s, WithinAbs(each.time.pp_comm_s, 1e-9));
  CHECK_THAT(grouped.time.dp_comm_exposed_s, WithinAbs(each.time.dp_comm_exposed_s, 1e-9));
  CHECK_THAT(grouped.time.dp_comm_contention_s, WithinAbs(each.time.dp_comm_contention_s, 1e-9));
  CHECK_THAT(grouped.energy.device_j, WithinRel(each.energy.device_j, 1e-6));
  REQUIRE(grouped.busiest_links.size() == each.busiest_links.size());
  for (size_t i = 0; i < each.busiest_links.size(); ++i) {
    CHECK(grouped.busiest_links[i].name == each.busiest_links[i].name);
    CHECK(grouped.busiest_links[i].bytes == each.busiest_links[i].bytes);
  }
}

TEST_CASE("a straggler holds every tensor-parallel peer back", "[event][training]") {
  auto cluster = dgx_cluster(1, "rail-optimized");
  auto spec = training(cluster, "megatron-22b", 8, 1, 4);
  auto base = simulate_training_event(cluster, spec);
  EventOptions slow;
  slow.stragglers = {{3, 1.5}};
  auto straggled = simulate_training_event(cluster, spec, slow);
  // The collectives wait for rank 3 after every phase: the whole iteration pays its extra
  // compute, half of it again.
  double extra = 0.5 * (base.time.compute_s + base.time.recompute_s);
  CHECK_THAT(straggled.iteration_time_s, WithinRel(base.iteration_time_s + extra, 0.02));
  EventOptions bad;
  bad.stragglers = {{8, 2.0}};
  CHECK_THROWS_AS(simulate_training_event(cluster, spec, bad), InputError);
}

TEST_CASE("an oversubscribed fat-tree slows data parallelism and shows where", "[event][training]") {
  auto spec_for = [](const ClusterModel& cluster) {
    return training(cluster, "llama2-13b", 8, 1, 16);
  };
  auto open = dgx_cluster(16, "fat-tree", 1);
  auto thin = dgx_cluster(16, "fat-tree", 4);
  auto open_run = simulate_training_event(open, spec_for(open));
  auto thin_run = simulate_training_event(thin, spec_for(thin));
  CHECK(thin_run.iteration_time_s > open_run.iteration_time_s);
  // What the thin uplinks cost the reduction shows as contention, in both engines.
  CHECK(thin_run.time.dp_comm_contention_s > open_run.time.dp_comm_contention_s + 0.1);
  CHECK(thin_run.time.dp_comm_exposed_s <= thin_run.time.dp_comm_total_s);
  auto thin_analytical = simulate_training_analytical(thin, spec_for(thin));
  CHECK_THAT(thin_analytical.iteration_time_s, WithinRel(thin_run.iteration_time_s, 0.05));
  REQUIRE_FALSE(thin_run.busiest_links.empty());
  CHECK_THAT(thin_run.busiest_links.front().name, ContainsSubstring("leaf"));
  CHECK(thin_run.busiest_links.front().utilization > 0.1);
  CHECK(thin_run.busiest_links.front().utilization <= 1.0 + 1e-9);
}

// Each term of the two engines' breakdowns, as a share of the iteration.
void check_breakdowns_agree(const TrainingResult& analytical, const TrainingResult& event,
                            double tolerance) {
  const auto& a = analytical.time;
  const auto& e = event.time;
  double t = analytical.iteration_time_s;
  auto close = [&](const char* term, double x, double y) {
    INFO(term << ": analytical " << x << " s, event " << y << " s, iteration " << t << " s");
    CHECK(std::abs(x - y) <= tolerance * t);
  };
  close("compute", a.compute_s, e.compute_s);
  close("recompute", a.recompute_s, e.recompute_s);
  close("tp comm", a.tp_comm_s, e.tp_comm_s);
  close("tp comm overlapped", a.tp_comm_overlapped_s, e.tp_comm_overlapped_s);
  close("pp comm", a.pp_comm_s, e.pp_comm_s);
  close("stage imbalance", a.stage_imbalance_s, e.stage_imbalance_s);
  close("bubble", a.bubble_s, e.bubble_s);
  close("dp exposed", a.dp_comm_exposed_s, e.dp_comm_exposed_s);
  close("dp contention", a.dp_comm_contention_s, e.dp_comm_contention_s);
  close("optimizer", a.optimizer_s, e.optimizer_s);
  CHECK_THAT(a.sum_s(), WithinRel(analytical.iteration_time_s, 1e-9));
  CHECK_THAT(e.sum_s(), WithinRel(event.iteration_time_s, 1e-9));
}

TEST_CASE("the engines' breakdowns agree term by term", "[event][training]") {
  SECTION("a pipeline whose last stage carries the LM head") {
    auto cluster = dgx_cluster(8, "rail-optimized");
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
    auto analytical = simulate_training_analytical(cluster, spec);
    auto event = simulate_training_event(cluster, spec);
    CHECK(analytical.time.stage_imbalance_s > 0);
    CHECK(event.time.stage_imbalance_s > 0);
    CHECK(event.time.pp_comm_s > 0);
    check_breakdowns_agree(analytical, event, 0.01);
  }
  SECTION("data parallelism over rails that share nothing") {
    auto cluster = dgx_cluster(16, "rail-optimized");
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
    auto analytical = simulate_training_analytical(cluster, spec);
    auto event = simulate_training_event(cluster, spec);
    CHECK(analytical.time.dp_comm_contention_s == 0);
    CHECK(event.time.dp_comm_exposed_s > 0);
    CHECK(event.time.dp_comm_exposed_s <= event.time.dp_comm_total_s);
    check_breakdowns_agree(analytical, event, 0.01);
  }
  SECTION("Megatron's overlaps: backward collectives beside the GEMMs, scattered sends") {
    auto cluster = dgx_cluster(8, "rail-optimized");
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64, config::FULL);
    spec.setup.sequence_parallel = false;
    spec.runtime.tp_backward_overlap = true;
    spec.runtime.pipeline_scatter_gather = true;
    auto analytical = simulate_training_analytical(cluster, spec);
    auto event = simulate_training_event(cluster, spec);
    CHECK(event.time.tp_comm_overlapped_s > 0);
    check_breakdowns_agree(analytical, event, 0.01);
    CHECK_THAT(event.iteration_time_s, WithinRel(analytical.iteration_time_s, 0.01));
  }
  SECTION("a straggler on the middle stage shows as imbalance, not bubble") {
    auto cluster = dgx_cluster(8, "rail-optimized");
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64);
    auto base = simulate_training_event(cluster, spec);
    EventOptions slow;
    slow.stragglers = {{8 * 4, 1.2}};  // stage 4, tensor-parallel rank 0
    auto straggled = simulate_training_event(cluster, spec, slow);
    double extra = straggled.iteration_time_s - base.iteration_time_s;
    CHECK(extra > 0);
    CHECK_THAT(straggled.time.stage_imbalance_s - base.time.stage_imbalance_s,
               WithinRel(extra, 0.15));
  }
}

TEST_CASE("hash-spread rings on a fat-tree collide, and both engines price it", "[event][training]") {
  // Eight pipeline-and-tensor groups each reduce over 4 servers on a fat-tree whose leaves
  // spread flows over their uplinks by hash: some uplinks carry two or more rings.
  auto cluster = dgx_cluster(32, "fat-tree");
  auto spec = training(cluster, "gpt3-175b", 8, 8, 256);
  auto analytical = simulate_training_analytical(cluster, spec);
  auto event = simulate_training_event(cluster, spec);
  CHECK(event.dp == 4);
  CHECK(analytical.time.dp_comm_contention_s > 0);
  CHECK(event.time.dp_comm_contention_s > 0);
  CHECK(event.time.dp_comm_exposed_s <= event.time.dp_comm_total_s);
  CHECK_THAT(analytical.time.dp_comm_contention_s,
             WithinRel(event.time.dp_comm_contention_s, 0.5));
  CHECK_THAT(analytical.iteration_time_s, WithinRel(event.iteration_time_s, 0.05));
}

TEST_CASE("event runs are deterministic", "[event][training]") {
  auto cluster = dgx_cluster(4, "fat-tree", 2);
  auto spec = training(cluster, "llama2-13b", 8, 1, 8);
  CHECK(dump(to_json(simulate_training_event(cluster, spec))) ==
        dump(to_json(simulate_training_event(cluster, spec))));
}

TEST_CASE("the interleaved schedule agrees with the analytical bubble", "[event][training]") {
  auto cluster = dgx_cluster(8, "rail-optimized");
  for (int chunks : {2, 4}) {
    INFO("virtual stages " << chunks);
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64, config::SELECTIVE, chunks);
    auto analytical = simulate_training_analytical(cluster, spec);
    auto event = simulate_training_event(cluster, spec);
    CHECK_THAT(event.iteration_time_s, WithinRel(analytical.iteration_time_s, 0.03));
    auto plain = simulate_training_event(cluster, training(cluster, "gpt3-175b", 8, 8, 64));
    CHECK(event.iteration_time_s < plain.iteration_time_s);
  }
}

TEST_CASE("the trace names every device's tracks and counts link utilisation", "[event][trace]") {
  auto cluster = dgx_cluster(2, "rail-optimized");
  auto spec = training(cluster, "llama2-13b", 8, 2, 4);
  auto path = std::filesystem::temp_directory_path() / "kcsim-event-trace-test.json";
  std::filesystem::remove(path);
  EventOptions options;
  options.trace_out = path.string();
  auto result = simulate_training_event(cluster, spec, options);
  std::ifstream in(path);
  auto trace = nlohmann::json::parse(in);
  int spans = 0, counters = 0, power_samples = 0;
  double last_end_us = 0;
  std::set<std::string> processes;
  for (const auto& event : trace["traceEvents"]) {
    if (event["ph"] == "M" && event["name"] == "process_name") {
      processes.insert(event["args"]["name"].get<std::string>());
    }
    if (event["ph"] == "X") {
      ++spans;
      last_end_us = std::max(last_end_us, event["ts"].get<double>() + event["dur"].get<double>());
    }
    if (event["ph"] == "C") {
      ++counters;
      for (const auto& [series, value] : event["args"].items()) {
        CHECK(value.get<double>() >= 0);
        if (series == "utilization") CHECK(value.get<double>() <= 1.0 + 1e-6);
        if (series == "W") {
          ++power_samples;
          CHECK(value.get<double>() <= cluster.chip.tdp_w());
          CHECK(value.get<double>() >= cluster.chip.idle_w());
        }
      }
    }
  }
  CHECK(processes.count("device 0") == 1);
  CHECK(processes.count("device 15") == 1);
  CHECK(processes.count("links") == 1);
  CHECK(spans > 16 * 4);
  CHECK(counters > 0);
  CHECK(power_samples > 0);
  CHECK_THAT(last_end_us * 1e-6, WithinRel(result.iteration_time_s, 1e-6));
  std::filesystem::remove(path);
}

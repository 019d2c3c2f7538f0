#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "sim/cost/collectives.hpp"
#include "sim/engines/analytical/analytical_training.hpp"
#include "sim/jobs/plan_search.hpp"
#include "sim/power/cluster_energy.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;
using namespace kcsim::test;

namespace {

double per_microbatch(const TrainingResult& r) {
  const auto& t = r.time;
  return (t.compute_s + t.stage_imbalance_s + t.recompute_s + t.tp_comm_s + t.pp_comm_s +
          t.ep_comm_s) /
         static_cast<double>(r.micro_batches);
}

}  // namespace

TEST_CASE("the iteration is the sum of its parts", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 16);
  auto r = simulate_training_analytical(cluster, training(cluster, "gpt3-175b", 8, 8, 256));
  const auto& t = r.time;
  double sum = t.compute_s + t.recompute_s + t.tp_comm_s + t.pp_comm_s + t.ep_comm_s +
               t.stage_imbalance_s + t.bubble_s + t.dp_comm_exposed_s + t.dp_comm_contention_s +
               t.optimizer_s;
  CHECK_THAT(r.iteration_time_s, WithinRel(sum, 1e-12));
  CHECK_THAT(t.sum_s(), WithinRel(sum, 1e-12));
  CHECK(t.dp_comm_exposed_s <= t.dp_comm_total_s);
}

TEST_CASE("the 1F1B bubble is (pp - 1) / v micro-batch times", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 8);
  for (int v : {1, 2, 3}) {
    INFO("virtual stages " << v);
    auto spec = training(cluster, "gpt3-175b", 8, 8, 64, config::SELECTIVE, v);
    auto r = simulate_training_analytical(cluster, spec);
    CHECK_THAT(r.time.bubble_s, WithinRel(7.0 / v * per_microbatch(r), 1e-9));
  }
}

TEST_CASE("model FLOPs per iteration are 6 N D within 3 %", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 8);
  auto r = simulate_training_analytical(cluster, training(cluster, "gpt3-175b", 8, 8, 64));
  double six_nd = 6.0 * r.parameters * 64 * 2048;
  CHECK_THAT(r.model_flops_per_iteration, WithinRel(six_nd, 0.03));
  // The rates follow from the totals.
  CHECK_THAT(r.model_tflops_per_device * 1e12 * r.devices * r.iteration_time_s,
             WithinRel(r.model_flops_per_iteration, 1e-9));
  CHECK(r.mfu > 0.2);
  CHECK(r.mfu < 0.75);
}

TEST_CASE("full recompute executes one more forward pass", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 8);
  auto full =
      simulate_training_analytical(cluster, training(cluster, "gpt3-175b", 8, 8, 64, config::FULL));
  CHECK_THAT(full.hardware_flops_per_iteration,
             WithinRel(4.0 / 3 * full.model_flops_per_iteration, 0.02));
  CHECK_THAT(full.time.recompute_s, WithinRel(full.time.compute_s / 3, 0.05));
}

TEST_CASE("tensor-parallel time is four alpha-beta all-reduces per layer and micro-batch",
          "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  auto spec = training(cluster, "megatron-22b", 8, 1, 4);
  auto r = simulate_training_analytical(cluster, spec);
  double bytes = 1.0 * 2048 * 6144 * 2;
  double each = collective_time_s(Collective::AllReduce, bytes, {8, 8}, cluster.tiers,
                                  cluster.chip.efficiency().collective_max());
  CHECK_THAT(r.time.tp_comm_s, WithinRel(4.0 * 48 * 4 * each, 1e-9));
}

TEST_CASE("doubling data parallelism about halves the iteration", "[sim][training]") {
  auto small = catalog_cluster("dgx-a100", 16);
  auto large = catalog_cluster("dgx-a100", 32);
  auto a = simulate_training_analytical(small, training(small, "gpt3-175b", 8, 8, 512));
  auto b = simulate_training_analytical(large, training(large, "gpt3-175b", 8, 8, 512));
  CHECK(b.dp == 2 * a.dp);
  CHECK_THAT(b.iteration_time_s / a.iteration_time_s, WithinAbs(0.5, 0.05));
}

TEST_CASE("gradient reduction hides behind backward unless buckets are off", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 4);
  auto spec = training(cluster, "megatron-1.7b", 1, 1, 512);
  auto overlapped = simulate_training_analytical(cluster, spec);
  spec.grad_bucket_bytes = 0;
  auto serial = simulate_training_analytical(cluster, spec);
  CHECK(overlapped.time.dp_comm_exposed_s < overlapped.time.dp_comm_total_s);
  CHECK_THAT(serial.time.dp_comm_exposed_s, WithinRel(serial.time.dp_comm_total_s, 1e-12));
  CHECK(serial.iteration_time_s > overlapped.iteration_time_s);
}

TEST_CASE("energy is average power times time, between idle and TDP", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-h100", 8);
  auto r = simulate_training_analytical(cluster, training(cluster, "llama3-70b", 8, 4, 128));
  CHECK_THAT(r.energy_per_iteration_j, WithinRel(r.avg_it_power_w * r.iteration_time_s, 1e-12));
  CHECK(r.avg_device_power_w > cluster.chip.idle_w());
  CHECK(r.avg_device_power_w <= cluster.chip.tdp_w());
  // The servers draw what their load asks: between idle devices and devices at TDP.
  double servers_j = r.energy.server_j;
  CHECK(r.energy.servers == 8);
  CHECK(servers_j < 8 * cluster.server_overhead_w() * r.iteration_time_s);
  double idle_server_w = server_overhead(cluster, 8 * cluster.chip.idle_w(), 0, 0).overhead_w();
  CHECK(servers_j > 8 * idle_server_w * r.iteration_time_s);
  double per_server_w = server_overhead(cluster, 8 * r.avg_device_power_w, 1, 0).overhead_w();
  CHECK(servers_j >= 8 * per_server_w * r.iteration_time_s * (1 - 1e-9));
  // IT energy: devices, servers, and the links and network between them.
  double links_j = r.energy.link_j + r.energy.network_j + r.energy.storage_j;
  CHECK(r.energy.link_j > 0);
  CHECK(r.energy.network_j > 0);
  CHECK_THAT(r.energy_per_iteration_j - servers_j - links_j,
             WithinRel(r.devices * r.avg_device_power_w * r.iteration_time_s, 1e-9));
  CHECK_THAT(r.energy_per_token_j * 128 * 2048, WithinRel(r.energy_per_iteration_j, 1e-12));
}

TEST_CASE("a plan that does not fit names its memory and plans that do", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 8);
  auto spec = training(cluster, "gpt3-175b", 8, 1, 64);
  try {
    run_training(cluster, spec);
    FAIL("no error");
  } catch (const InfeasibleError& e) {
    std::string what = e.what();
    CHECK_THAT(what, ContainsSubstring("does not fit on a100-80g"));
    CHECK_THAT(what, ContainsSubstring("plans that fit"));
  }
  auto plans = fitting_training_plans(cluster, spec, 3);
  REQUIRE_FALSE(plans.empty());
  for (const auto& plan : plans) CHECK(plan.memory.total_gib <= plan.memory.capacity_gib);
  for (size_t i = 1; i < plans.size(); ++i) {
    CHECK(plans[i - 1].iteration_time_s <= plans[i].iteration_time_s);
  }
}

TEST_CASE("the auto plan fits and beats a hand-written valid plan", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 16);
  auto spec = training(cluster, "gpt3-175b", 8, 16, 256);
  auto manual = run_training(cluster, spec);
  auto best = run_training_auto(cluster, spec).result;
  CHECK(best.memory.total_gib <= best.memory.capacity_gib);
  CHECK(best.iteration_time_s <= manual.iteration_time_s);
}

TEST_CASE("plans that cannot run say why", "[sim][training]") {
  auto cluster = catalog_cluster("dgx-a100", 8);
  auto bad_pp = training(cluster, "gpt3-175b", 8, 8, 64);
  bad_pp.setup.pp = 7;
  bad_pp.setup.dp = 1;
  CHECK_THROWS_WITH(check_training_plan(bad_pp, cluster),
                    ContainsSubstring("does not divide the 96 layers"));
  auto bad_batch = training(cluster, "gpt3-175b", 8, 1, 63);
  CHECK_THROWS_WITH(check_training_plan(bad_batch, cluster),
                    ContainsSubstring("global batch 63 does not split over dp 8"));
  auto too_many = training(cluster, "gpt3-175b", 8, 8, 64);
  too_many.setup.dp = 2;
  CHECK_THROWS_WITH(check_training_plan(too_many, cluster),
                    ContainsSubstring("cluster dgx-a100 has 64"));
}

// Device power by state, DVFS under a cap, and processing in memory.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "hw-models/dvfs.hpp"
#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

// Round numbers: 100 TFLOP/s bf16, 1 TB/s, idle 50 W, held 80 W, TDP 350 W, four DVFS states.
config::Chip round_chip_config() {
  config::Chip c;
  c.set_name("round");
  auto* peak = c.add_peak();
  peak->set_dtype(config::BF16);
  peak->set_tflops(100);
  c.mutable_memory()->set_capacity_gib(10);
  c.mutable_memory()->set_bandwidth_gb_per_s(1000);
  c.mutable_host_link()->set_bandwidth_gb_per_s(32);
  auto* power = c.mutable_power();
  power->set_idle_w(50);
  power->set_active_idle_w(80);
  power->set_tdp_w(350);
  power->set_compute_share(0.8);
  power->set_memory_share(0.4);
  power->set_dvfs_power_exponent(2);
  for (double speed : {1.0, 0.9, 0.8, 0.7, 0.6, 0.5}) {
    auto* s = power->add_dvfs();
    s->set_frequency_mhz(2000 * speed);
    s->set_relative_speed(speed);
  }
  c.mutable_efficiency()->set_gemm_max(1);
  c.mutable_efficiency()->set_gemm_half_dim(0);
  c.mutable_efficiency()->set_memory_max(1);
  c.mutable_efficiency()->set_op_overhead_us(0);
  return c;
}

// A square GEMM of `d` (compute bound) and a GEMV over a d x d matrix (memory bound).
Op square_gemm(double d) { return {"gemm", OpKind::Gemm, 2 * d * d * d, 3 * d * d * 2, d, d, d}; }
Op gemv(double d) { return {"gemv", OpKind::Gemm, 2 * d * d, d * d * 2, 1, d, d}; }

}  // namespace

TEST_CASE("device power: idle floor, held floor, dynamic parts, never above TDP", "[hw][power]") {
  ChipModel chip(round_chip_config());
  CHECK(device_power(chip, DeviceActivity::idle()).total_w() == 50);
  CHECK(device_power(chip, DeviceActivity::waiting()).total_w() == 80);
  // 80 + 300 x (0.8 x 0.5 + 0.4 x 0.25) = 230 W
  CHECK_THAT(device_power(chip, {0.5, 0.25, 0, 1.0, true}).total_w(), WithinRel(230.0, 1e-12));
  // Compute power scales as speed^2 here.
  CHECK_THAT(device_power(chip, {1, 0, 0, 0.5, true}).compute_w,
             WithinRel(300 * 0.8 * 0.25, 1e-12));
  for (double c = 0; c <= 1.0; c += 0.25) {
    for (double m = 0; m <= 1.0; m += 0.25) {
      for (double s : {0.5, 0.8, 1.0}) {
        auto p = device_power(chip, {c, m, 0, s, true});
        CHECK(p.total_w() <= 350 + 1e-9);
        CHECK(p.total_w() >= 80 - 1e-9);
      }
    }
  }
  // Fully busy both ways would ask for 80 + 360 W: the device holds at its TDP.
  CHECK_THAT(device_power(chip, {1, 1, 0, 1.0, true}).total_w(), WithinRel(350.0, 1e-12));
}

TEST_CASE("a power cap slows compute-bound work about as 1/f and memory-bound work barely",
          "[hw][power]") {
  ChipModel chip(round_chip_config());
  auto work = [&](const Op& op) {
    return [&chip, op](double speed) { return op_cost(chip, op, config::BF16, {speed}); };
  };
  double cap = 250;
  Op big = square_gemm(8192), small = gemv(8192);
  DvfsChoice compute = choose_state_under_cap(chip, cap, work(big));
  DvfsChoice memory = choose_state_under_cap(chip, cap, work(small));
  REQUIRE(compute.under_cap);
  REQUIRE(memory.under_cap);
  CHECK(compute.power_w <= cap);
  // 80 + 300 x (0.8 s^2 + 0.4 m) <= 250 with m small picks s = 0.8 (0.9 would draw ~276 W).
  CHECK(compute.state.speed == 0.8);
  double nominal = op_cost(chip, big, config::BF16).time_s;
  CHECK_THAT(compute.cost.time_s / nominal, WithinRel(1 / 0.8, 1e-9));
  // The GEMV stays at full speed: its compute units are nearly idle.
  CHECK(memory.state.speed == 1.0);
  CHECK_THAT(memory.cost.time_s, WithinRel(op_cost(chip, small, config::BF16).time_s, 1e-12));
  // A cap below the held floor cannot be met: the slowest state, flagged.
  DvfsChoice impossible = choose_state_under_cap(chip, 60, work(big));
  CHECK_FALSE(impossible.under_cap);
  CHECK(impossible.state.speed == 0.5);
}

TEST_CASE("PIM takes GEMV and KV reads faster and for less energy, not large GEMMs",
          "[hw][power][pim]") {
  auto plain_config = round_chip_config();
  auto pim_config = plain_config;
  auto* pim = pim_config.mutable_pim();
  pim->set_bandwidth_multiplier(4);
  pim->set_tflops(20);
  pim->set_energy_per_byte_relative(0.15);
  ChipModel plain(plain_config), with_pim(pim_config);

  OpCost before = op_cost(plain, gemv(8192), config::BF16);
  OpCost after = op_cost(with_pim, gemv(8192), config::BF16);
  CHECK_THAT(after.time_s, WithinRel(before.time_s / 4, 1e-9));
  CHECK(after.pim_busy == 1.0);
  CHECK(after.memory_busy == 0);
  // Memory energy of the op: 0.4 x 300 W x time, times 4 x 0.15 when in memory.
  auto memory_j = [](const ChipModel& chip, const OpCost& cost) {
    return device_power(chip, DeviceActivity::of(cost)).memory_w * cost.time_s;
  };
  CHECK_THAT(memory_j(with_pim, after), WithinRel(0.15 * memory_j(plain, before), 1e-9));

  Op kv_read{"kv_read", OpKind::Vector, 0, 1e9};
  CHECK(op_cost(with_pim, kv_read, config::BF16).pim_s > 0);
  // A large GEMM is compute bound: the processor keeps it.
  OpCost gemm = op_cost(with_pim, square_gemm(8192), config::BF16);
  CHECK(gemm.pim_s == 0);
  CHECK_THAT(gemm.time_s, WithinRel(op_cost(plain, square_gemm(8192), config::BF16).time_s, 1e-12));
}

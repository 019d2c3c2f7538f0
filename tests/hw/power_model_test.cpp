// Device power from what is busy at a state's frequency and voltage, the power limiter, and
// processing in memory.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "hw-models/dvfs.hpp"
#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

// Round numbers: 100 TFLOP/s bf16, 1 TB/s; idle 50 W, held 80 W, TDP 400 W; matrix units 300 W
// at peak, on-chip path 100 W and DRAM 40 W at full bandwidth; collectives 40 W. Voltage falls
// from 1 at 2,000 MHz to 0.6 at 1,000 MHz and stays there; states every 100 MHz down to 600.
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
  power->set_held_above_idle_w(30);
  power->set_tdp_w(400);
  power->set_matrix_w(300);
  power->set_vector_w(60);
  power->set_onchip_pj_per_bit(12.5);  // 100 W at 1 TB/s
  power->set_memory_pj_per_bit(5);
  power->set_collective_w(40);
  power->set_voltage_floor(0.6);
  power->set_voltage_floor_mhz(1000);
  for (double mhz = 2000; mhz >= 600; mhz -= 100) power->add_dvfs()->set_frequency_mhz(mhz);
  c.mutable_efficiency()->set_gemm_max(1);
  c.mutable_efficiency()->set_gemm_half_dim(0);
  c.mutable_efficiency()->set_memory_max(1);
  c.mutable_efficiency()->set_op_overhead_us(0);
  return c;
}

// A square GEMM of `d` (compute bound) and a GEMV over a d x d matrix (memory bound).
Op square_gemm(double d) { return {"gemm", OpKind::Gemm, 2 * d * d * d, 3 * d * d * 2, d, d, d}; }
Op gemv(double d) { return {"gemv", OpKind::Gemm, 2 * d * d, d * d * 2, 1, d, d}; }

std::function<OpCost(const DvfsPoint&)> work(const ChipModel& chip, const Op& op) {
  return [&chip, op](const DvfsPoint& state) {
    return op_cost(chip, op, config::BF16, Execution{state});
  };
}

}  // namespace

TEST_CASE("the voltage curve falls with the clock to its floor, then stays", "[hw][power]") {
  ChipModel chip(round_chip_config());
  CHECK(chip.nominal_mhz() == 2000);
  CHECK(chip.voltage_at(2000) == 1.0);
  CHECK_THAT(chip.voltage_at(1500), WithinRel(0.8, 1e-12));
  CHECK_THAT(chip.voltage_at(1000), WithinRel(0.6, 1e-12));
  CHECK_THAT(chip.voltage_at(700), WithinRel(0.6, 1e-12));
  auto states = dvfs_states(chip);
  REQUIRE(states.size() == 15);
  CHECK(states.front().speed == 1.0);
  CHECK_THAT(states.back().speed, WithinRel(0.3, 1e-12));
  // A locked clock between listed states becomes the fastest state.
  auto locked = dvfs_states(chip, 1450);
  CHECK(locked.front().frequency_mhz == 1450);
  CHECK_THAT(locked.front().voltage, WithinRel(0.78, 1e-12));
}

TEST_CASE("device power: idle floor, held clock as V^2 f, work at full-rate watts", "[hw][power]") {
  ChipModel chip(round_chip_config());
  CHECK(idle_power(chip).total_w() == 50);
  CHECK(waiting_power(chip).total_w() == 80);
  DvfsPoint half = dvfs_state_at(chip, 1000);  // s 0.5, v 0.6
  CHECK_THAT(waiting_power(chip, half).held_w, WithinRel(30 * 0.36 * 0.5, 1e-12));
  CHECK_THAT(collective_power(chip, half).total_w(), WithinRel(50 + 70 * 0.36 * 0.5, 1e-12));

  // A GEMM at the nominal state: the matrix units at peak (300 W), its bytes over its time.
  Op big = square_gemm(8192);
  OpCost nominal = op_cost(chip, big, config::BF16);
  double bytes_w = 140 * big.bytes / 1e12 / nominal.time_s;
  CHECK_THAT(busy_power(chip, nominal).total_w(), WithinRel(50 + 30 + 300 + bytes_w, 1e-9));
  // At half the clock and 0.6 of the voltage it takes twice as long; each FLOP costs 0.36 of
  // its energy, so the matrix units draw 0.36 x 0.5 of their watts.
  OpCost slow = op_cost(chip, big, config::BF16, Execution{half});
  CHECK_THAT(slow.time_s, WithinRel(2 * nominal.time_s, 1e-12));
  CHECK_THAT(busy_power(chip, slow).compute_w, WithinRel(300 * 0.36 * 0.5, 1e-9));

  // A GEMV goes at the memory's pace at either clock: the same time, its on-chip traffic at
  // 0.36 of the energy, its DRAM traffic unchanged.
  OpCost v_nominal = op_cost(chip, gemv(8192), config::BF16);
  OpCost v_slow = op_cost(chip, gemv(8192), config::BF16, Execution{half});
  CHECK_THAT(v_slow.time_s, WithinRel(v_nominal.time_s, 1e-12));
  double full_bw_s = gemv(8192).bytes / 1e12;
  CHECK_THAT(v_nominal.memory_j, WithinRel(140 * full_bw_s, 1e-9));
  CHECK_THAT(v_slow.memory_j, WithinRel((40 + 100 * 0.36) * full_bw_s, 1e-9));
}

TEST_CASE("the power limiter settles at the limit; compute-bound work slows, memory-bound not",
          "[hw][power]") {
  ChipModel chip(round_chip_config());
  Op big = square_gemm(8192), small = gemv(8192);
  const double nominal_gemm_s = op_cost(chip, big, config::BF16).time_s;
  const double nominal_gemv_s = op_cost(chip, small, config::BF16).time_s;
  // Uncapped (the 400 W TDP) the GEMM's 300 W of matrix units fit: nominal speed.
  DvfsChoice free_gemm = choose_state_under_cap(chip, power_limit_w(chip, 0), work(chip, big));
  CHECK(free_gemm.state.speed == 1.0);
  CHECK_THAT(free_gemm.cost.time_s, WithinRel(nominal_gemm_s, 1e-12));

  for (double cap : {300.0, 250.0, 200.0, 150.0}) {
    DvfsChoice compute = choose_state_under_cap(chip, cap, work(chip, big));
    DvfsChoice memory = choose_state_under_cap(chip, cap, work(chip, small));
    REQUIRE(compute.under_cap);
    REQUIRE(memory.under_cap);
    // The limiter alternates two neighbouring states to sit at the cap.
    CHECK(compute.power_w <= cap * (1 + 1e-9));
    CHECK_THAT(compute.power_w, WithinRel(cap, 1e-9));
    CHECK(memory.power_w <= cap * (1 + 1e-9));
    double compute_slowdown = compute.cost.time_s / nominal_gemm_s;
    double memory_slowdown = memory.cost.time_s / nominal_gemv_s;
    CHECK(compute_slowdown > 1.05);
    CHECK(memory_slowdown < compute_slowdown);
    // The GEMV's energy falls under a cap (through the voltage), the time barely moves.
    OpCost free_gemv = op_cost(chip, small, config::BF16);
    double free_j = (50 * free_gemv.time_s + free_gemv.energy_j());
    double capped_j = memory.power_w * memory.cost.time_s;
    CHECK(capped_j <= free_j * (1 + 1e-12));
  }
  // A cap below the held floor cannot be met: the slowest state, flagged.
  DvfsChoice impossible = choose_state_under_cap(chip, 52, work(chip, big));
  CHECK_FALSE(impossible.under_cap);
  CHECK_THAT(impossible.state.speed, WithinRel(0.3, 1e-12));
  // Between the floor and the slowest state's draw, the limiter stretches the GEMV (memory
  // throttled too) until its draw fits.
  DvfsChoice stretched = choose_state_under_cap(chip, 75, work(chip, small));
  CHECK(stretched.under_cap);
  CHECK(stretched.stretch > 1);
  CHECK_THAT(stretched.power_w, WithinRel(75.0, 1e-9));
}

TEST_CASE("a moderate cap saves energy on memory-bound work at little cost in time",
          "[hw][power]") {
  ChipModel chip(round_chip_config());
  Op decode = gemv(8192);
  OpCost free_run = choose_state_under_cap(chip, power_limit_w(chip, 0), work(chip, decode)).cost;
  double free_w = busy_power(chip, free_run).total_w();
  DvfsChoice capped = choose_state_under_cap(chip, 0.8 * free_w, work(chip, decode));
  double free_j = free_w * free_run.time_s;
  double capped_j = capped.power_w * capped.cost.time_s;
  CHECK(capped_j < 0.9 * free_j);
  CHECK(capped.cost.time_s < 1.02 * free_run.time_s);
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
  // The bytes move inside the memory at 0.15 of a DRAM byte's energy, and never cross the
  // on-chip path.
  CHECK_THAT(after.memory_j, WithinRel(0.15 * 40 * gemv(8192).bytes / 1e12, 1e-9));
  CHECK(after.memory_j < 0.15 * before.memory_j);

  Op kv_read{"kv_read", OpKind::Vector, 0, 1e9};
  CHECK(op_cost(with_pim, kv_read, config::BF16).pim_s > 0);
  // A large GEMM is compute bound: the processor keeps it.
  OpCost gemm = op_cost(with_pim, square_gemm(8192), config::BF16);
  CHECK(gemm.pim_s == 0);
  CHECK_THAT(gemm.time_s, WithinRel(op_cost(plain, square_gemm(8192), config::BF16).time_s, 1e-12));
}

TEST_CASE("a chip file without activity terms gets shares of its dynamic range", "[hw][power]") {
  auto c = round_chip_config();
  auto* power = c.mutable_power();
  power->clear_held_above_idle_w();
  power->clear_matrix_w();
  power->clear_memory_pj_per_bit();
  ChipModel chip(c);
  // 350 W of range: held 8 %, matrix units 110 %, DRAM 25 %.
  CHECK_THAT(chip.held_above_idle_w(), WithinRel(28.0, 1e-12));
  CHECK_THAT(chip.matrix_w(), WithinRel(385.0, 1e-12));
  CHECK_THAT(chip.dram_w(), WithinRel(87.5, 1e-12));
  // Still held under the TDP by the limiter.
  DvfsChoice gemm = choose_state_under_cap(chip, chip.tdp_w(), work(chip, square_gemm(8192)));
  CHECK(gemm.power_w <= 400 * (1 + 1e-9));
}

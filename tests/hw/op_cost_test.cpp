#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;

namespace {

// A chip with round numbers: 100 TFLOP/s bf16, 1 TB/s, 10 us per op.
kcsim::ChipModel test_chip() {
  kcsim::config::Chip c;
  c.set_name("round");
  auto* peak = c.add_peak();
  peak->set_dtype(kcsim::config::BF16);
  peak->set_tflops(100);
  c.mutable_memory()->set_capacity_gib(10);
  c.mutable_memory()->set_bandwidth_gb_per_s(1000);
  c.mutable_host_link()->set_bandwidth_gb_per_s(32);
  c.mutable_power()->set_idle_w(50);
  c.mutable_power()->set_tdp_w(350);
  c.mutable_power()->set_held_above_idle_w(30);
  c.mutable_power()->set_matrix_w(200);
  c.mutable_power()->set_vector_w(40);
  c.mutable_power()->set_onchip_pj_per_bit(7.5);  // 60 W at 1 TB/s
  c.mutable_power()->set_memory_pj_per_bit(5);    // 40 W at 1 TB/s
  auto* eff = c.mutable_efficiency();
  eff->set_gemm_max(0.8);
  eff->set_gemm_half_dim(100);
  eff->set_memory_max(0.5);
  eff->set_op_overhead_us(10);
  return kcsim::ChipModel(c);
}

}  // namespace

TEST_CASE("a large GEMM is compute bound at peak x shape efficiency", "[hw]") {
  auto chip = test_chip();
  kcsim::Op gemm{"g", kcsim::OpKind::Gemm, 2.0 * 900 * 900 * 900, 3.0 * 900 * 900 * 2, 900, 900,
                 900};
  double eff = 0.8 * 0.9 * 0.9 * 0.9;  // 900 / (900 + 100) along each dimension
  CHECK_THAT(kcsim::gemm_efficiency(chip.efficiency(), 900, 900, 900), WithinRel(eff, 1e-12));
  auto cost = kcsim::op_cost(chip, gemm, kcsim::config::BF16);
  CHECK(cost.compute_bound());
  CHECK_THAT(cost.time_s, WithinRel(gemm.flops / (100e12 * eff) + 10e-6, 1e-12));
  CHECK_THAT(cost.memory_s, WithinRel(gemm.bytes / (1000e9 * 0.5), 1e-12));
  CHECK(cost.compute_busy > cost.memory_busy);
}

TEST_CASE("a streaming op is memory bound at bandwidth x memory efficiency", "[hw]") {
  auto chip = test_chip();
  kcsim::Op add{"add", kcsim::OpKind::Vector, 1e6, 1e9};
  auto cost = kcsim::op_cost(chip, add, kcsim::config::BF16);
  CHECK_FALSE(cost.compute_bound());
  CHECK_THAT(cost.time_s, WithinRel(1e9 / 500e9 + 10e-6, 1e-12));
}

TEST_CASE("a lower DVFS state slows compute-bound ops and not memory-bound ones", "[hw]") {
  auto chip = test_chip();
  kcsim::Op gemm{"g", kcsim::OpKind::Gemm, 1e13, 1e8, 4096, 4096, 4096};
  kcsim::Op stream{"s", kcsim::OpKind::Vector, 1e6, 1e10};
  const kcsim::Execution half{kcsim::DvfsPoint{1000, 0.5, 0.8}}, full{};
  double gemm_ratio = kcsim::op_cost(chip, gemm, kcsim::config::BF16, half).time_s /
                      kcsim::op_cost(chip, gemm, kcsim::config::BF16, full).time_s;
  double stream_ratio = kcsim::op_cost(chip, stream, kcsim::config::BF16, half).time_s /
                        kcsim::op_cost(chip, stream, kcsim::config::BF16, full).time_s;
  CHECK_THAT(gemm_ratio, WithinRel(2.0, 0.01));
  CHECK_THAT(stream_ratio, WithinRel(1.0, 1e-9));
}

TEST_CASE("a dtype the chip lacks is infeasible and names what it has", "[hw]") {
  auto chip = test_chip();
  CHECK_FALSE(chip.supports(kcsim::config::FP8));
  try {
    chip.peak_ops_per_s(kcsim::config::FP8);
    FAIL("no error");
  } catch (const kcsim::InfeasibleError& e) {
    CHECK_THAT(std::string(e.what()), ContainsSubstring("round does not support fp8"));
    CHECK_THAT(std::string(e.what()), ContainsSubstring("bf16"));
  }
  CHECK(chip.equivalent_dtype(kcsim::config::FP16) == kcsim::config::BF16);
  CHECK(chip.equivalent_dtype(kcsim::config::FP8) == kcsim::config::FP8);
}

TEST_CASE("a chip without essential figures is rejected", "[hw]") {
  kcsim::config::Chip c;
  c.set_name("empty");
  CHECK_THROWS_AS(kcsim::ChipModel(c), kcsim::InputError);
}

TEST_CASE("an op's energy is its work at full-rate watts plus the held clock", "[hw]") {
  auto chip = test_chip();
  // 1.8e12 FLOPs of GEMM at 100 TFLOP/s peak: 18 ms of the matrix units at full rate (the
  // energy counts the FLOPs, whatever share of peak the shape reaches).
  kcsim::Op gemm{"g", kcsim::OpKind::Gemm, 1.8e12, 1e9, 1e6, 1e6, 1e6};
  auto cost = kcsim::op_cost(chip, gemm, kcsim::config::BF16);
  CHECK_THAT(cost.compute_j, WithinRel(200 * 0.018, 1e-12));
  // 1 GB at 1 TB/s is 1 ms of DRAM (40 W) and of the on-chip path (60 W) at full rate.
  CHECK_THAT(cost.memory_j, WithinRel(100 * 1e-3, 1e-12));
  CHECK_THAT(cost.held_j, WithinRel(30 * cost.time_s, 1e-12));
  CHECK_THAT(kcsim::busy_power(chip, cost).total_w(),
             WithinRel(50 + cost.energy_j() / cost.time_s, 1e-12));
  // Vector work is priced on the vector units at their own full rate (vector_max of peak).
  kcsim::Op norm{"n", kcsim::OpKind::Vector, 1e9, 0};
  auto vector = kcsim::op_cost(chip, norm, kcsim::config::BF16);
  CHECK_THAT(vector.compute_j, WithinRel(40 * 1e9 / (100e12 * 0.25), 1e-12));
}

TEST_CASE("an op takes at least the host's dispatch time", "[hw]") {
  auto chip = test_chip();
  kcsim::Op tiny{"tiny", kcsim::OpKind::Vector, 1e3, 1e6};
  kcsim::Op big{"big", kcsim::OpKind::Vector, 1e6, 1e10};
  kcsim::Execution eager{kcsim::DvfsPoint{}, 40e-6};
  auto tiny_cost = kcsim::op_cost(chip, tiny, kcsim::config::BF16, eager);
  CHECK_THAT(tiny_cost.time_s, WithinRel(40e-6, 1e-12));
  // Waiting on the host, the device is busy only for its own share of the time.
  CHECK(tiny_cost.memory_busy < 0.1);
  CHECK_THAT(kcsim::op_cost(chip, big, kcsim::config::BF16, eager).time_s,
             WithinRel(1e10 / 500e9 + 10e-6, 1e-12));
}

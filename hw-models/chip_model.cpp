#include "hw-models/chip_model.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {
namespace {

void require_positive(const config::Chip& chip, bool present, double value, const char* field) {
  if (!present || !(value > 0)) {
    throw InputError(fmt::format("chip {}: {}: must be given and positive (got {})", chip.name(),
                                 field, present ? fmt::format("{}", value) : "nothing"));
  }
}

}  // namespace

ChipModel::ChipModel(config::Chip chip)
    : chip_(std::make_shared<const config::Chip>(std::move(chip))) {
  if (chip_->peak_size() == 0) {
    throw InputError(fmt::format("chip {}: peak: at least one dtype peak is needed", name()));
  }
  for (const auto& peak : chip_->peak()) {
    require_positive(*chip_, peak.has_tflops(), peak.tflops(), "peak.tflops");
  }
  require_positive(*chip_, chip_->memory().has_capacity_gib(), chip_->memory().capacity_gib(),
                   "memory.capacity_gib");
  require_positive(*chip_, chip_->memory().has_bandwidth_gb_per_s(),
                   chip_->memory().bandwidth_gb_per_s(), "memory.bandwidth_gb_per_s");
  require_positive(*chip_, chip_->power().has_tdp_w(), chip_->power().tdp_w(), "power.tdp_w");
  if (chip_->power().idle_w() < 0 || chip_->power().idle_w() > chip_->power().tdp_w()) {
    throw InputError(fmt::format("chip {}: power.idle_w: must lie between 0 and tdp_w", name()));
  }
  if (chip_->has_pim()) {
    const auto& pim = chip_->pim();
    require_positive(*chip_, pim.has_bandwidth_multiplier(), pim.bandwidth_multiplier(),
                     "pim.bandwidth_multiplier");
    require_positive(*chip_, pim.has_tflops(), pim.tflops(), "pim.tflops");
    require_positive(*chip_, pim.has_energy_per_byte_relative(), pim.energy_per_byte_relative(),
                     "pim.energy_per_byte_relative");
  }
  const auto& power = chip_->power();
  if (power.has_held_above_idle_w() &&
      !(power.held_above_idle_w() >= 0 &&
        power.idle_w() + power.held_above_idle_w() <= power.tdp_w())) {
    throw InputError(fmt::format(
        "chip {}: power.held_above_idle_w: must be at least 0 and leave idle_w + it within tdp_w "
        "(got {})",
        name(), power.held_above_idle_w()));
  }
  auto non_negative = [&](bool present, double value, const char* field) {
    if (present && !(value >= 0 && value < 1e6)) {
      throw InputError(
          fmt::format("chip {}: power.{}: must lie in [0, 1e6) (got {})", name(), field, value));
    }
  };
  non_negative(power.has_matrix_w(), power.matrix_w(), "matrix_w");
  non_negative(power.has_vector_w(), power.vector_w(), "vector_w");
  non_negative(power.has_onchip_pj_per_bit(), power.onchip_pj_per_bit(), "onchip_pj_per_bit");
  non_negative(power.has_memory_pj_per_bit(), power.memory_pj_per_bit(), "memory_pj_per_bit");
  for (const auto& state : power.dvfs()) {
    require_positive(*chip_, state.has_frequency_mhz(), state.frequency_mhz(),
                     "power.dvfs.frequency_mhz");
    if (state.has_relative_speed() &&
        !(state.relative_speed() > 0 && state.relative_speed() <= 1)) {
      throw InputError(
          fmt::format("chip {}: power.dvfs.relative_speed: must lie in (0, 1] (got {})", name(),
                      state.relative_speed()));
    }
    if (state.has_relative_voltage() &&
        !(state.relative_voltage() > 0 && state.relative_voltage() <= 1)) {
      throw InputError(
          fmt::format("chip {}: power.dvfs.relative_voltage: must lie in (0, 1] (got {})", name(),
                      state.relative_voltage()));
    }
    nominal_mhz_ = std::max(nominal_mhz_, state.frequency_mhz());
  }
  if (power.has_voltage_floor() || power.has_voltage_floor_mhz()) {
    if (!(power.voltage_floor() > 0 && power.voltage_floor() <= 1)) {
      throw InputError(fmt::format("chip {}: power.voltage_floor: must lie in (0, 1] (got {})",
                                   name(), power.voltage_floor()));
    }
    if (!(power.voltage_floor_mhz() > 0 && power.voltage_floor_mhz() < nominal_mhz_)) {
      throw InputError(fmt::format(
          "chip {}: power.voltage_floor_mhz: must be positive and below the fastest DVFS state "
          "({} MHz; got {})",
          name(), nominal_mhz_, power.voltage_floor_mhz()));
    }
  }
  std::vector<DvfsPoint> states;
  for (const auto& state : power.dvfs()) {
    double f = state.frequency_mhz();
    states.push_back({f, state.has_relative_speed() ? state.relative_speed() : f / nominal_mhz_,
                      voltage_at(f)});
  }
  if (states.empty()) states.push_back({});
  std::sort(states.begin(), states.end(),
            [](const DvfsPoint& a, const DvfsPoint& b) { return a.speed > b.speed; });
  states_ = std::make_shared<const std::vector<DvfsPoint>>(std::move(states));
  if (!chip_->has_scale_up() && !chip_->has_host_link()) {
    throw InputError(
        fmt::format("chip {}: host_link: a chip needs a scale_up or host link", name()));
  }
}

bool ChipModel::supports(Dtype dtype) const {
  for (const auto& peak : chip_->peak()) {
    if (peak.dtype() == dtype) return true;
  }
  return false;
}

std::vector<Dtype> ChipModel::dtypes() const {
  std::vector<Dtype> result;
  for (const auto& peak : chip_->peak()) result.push_back(peak.dtype());
  return result;
}

double ChipModel::peak_ops_per_s(Dtype dtype) const {
  for (const auto& peak : chip_->peak()) {
    if (peak.dtype() == dtype) return peak.tflops() * 1e12;
  }
  std::vector<std::string> names;
  for (Dtype d : dtypes()) names.push_back(dtype_name(d));
  throw InfeasibleError(fmt::format("chip {} does not support {}; it supports: {}", name(),
                                    dtype_name(dtype), fmt::join(names, ", ")));
}

void ChipModel::require_trains() const {
  if (trains()) return;
  throw InfeasibleError(fmt::format(
      "chip {} is an inference chip: its catalog entry names no published training support "
      "(the chip's `trains` source); train on a chip that has one (kcsim chips, column trains) "
      "or serve on this one",
      name()));
}

GemmCurve ChipModel::gemm_curve(Dtype dtype) const {
  const auto& eff = chip_->efficiency();
  GemmCurve curve{eff.gemm_max(), eff.gemm_half_dim()};
  for (const auto& peak : chip_->peak()) {
    if (peak.dtype() != dtype) continue;
    if (peak.has_gemm_max()) curve.max = peak.gemm_max();
    if (peak.has_gemm_half_dim()) curve.half_dim = peak.gemm_half_dim();
  }
  return curve;
}

Dtype ChipModel::equivalent_dtype(Dtype dtype) const {
  if (supports(dtype)) return dtype;
  Dtype twin = dtype == config::BF16 ? config::FP16 : dtype == config::FP16 ? config::BF16 : dtype;
  return supports(twin) ? twin : dtype;
}

double ChipModel::voltage_at(double frequency_mhz) const {
  const auto& power = chip_->power();
  for (const auto& state : power.dvfs()) {
    if (state.frequency_mhz() == frequency_mhz && state.has_relative_voltage()) {
      return state.relative_voltage();
    }
  }
  if (!power.has_voltage_floor() || nominal_mhz_ <= 0) return 1.0;
  double floor_mhz = power.voltage_floor_mhz();
  if (frequency_mhz <= floor_mhz) return power.voltage_floor();
  double along = std::min(1.0, (frequency_mhz - floor_mhz) / (nominal_mhz_ - floor_mhz));
  return power.voltage_floor() + (1 - power.voltage_floor()) * along;
}

namespace {

// Shares of a chip's dynamic range (tdp_w - idle_w) for the power terms its file leaves out:
// the held floor a little above idle, the matrix units at peak past the range (a large GEMM at
// 75 % of peak then lands near the TDP with the rest), DRAM and its on-chip path together at
// half the range at full bandwidth, and collectives' kernels as a light load.
struct DefaultShares {
  static constexpr double held = 0.08, matrix = 1.1, vector = 0.3, onchip = 0.25, dram = 0.25,
                          collective = 0.15;
};

}  // namespace

double ChipModel::held_above_idle_w() const {
  const auto& power = chip_->power();
  double range = power.tdp_w() - power.idle_w();
  return power.has_held_above_idle_w() ? power.held_above_idle_w() : DefaultShares::held * range;
}

double ChipModel::matrix_w() const {
  const auto& power = chip_->power();
  return power.has_matrix_w() ? power.matrix_w()
                              : DefaultShares::matrix * (power.tdp_w() - power.idle_w());
}

double ChipModel::vector_w() const {
  const auto& power = chip_->power();
  return power.has_vector_w() ? power.vector_w()
                              : DefaultShares::vector * (power.tdp_w() - power.idle_w());
}

double ChipModel::onchip_w() const {
  const auto& power = chip_->power();
  return power.has_onchip_pj_per_bit()
             ? power.onchip_pj_per_bit() * 1e-12 * 8 * memory_bandwidth_bytes_per_s()
             : DefaultShares::onchip * (power.tdp_w() - power.idle_w());
}

double ChipModel::collective_w() const {
  const auto& power = chip_->power();
  return power.has_collective_w() ? power.collective_w()
                                  : DefaultShares::collective * (power.tdp_w() - power.idle_w());
}

double ChipModel::dram_w() const {
  const auto& power = chip_->power();
  if (!power.has_memory_pj_per_bit()) {
    return DefaultShares::dram * (power.tdp_w() - power.idle_w());
  }
  return power.memory_pj_per_bit() * 1e-12 * 8 * memory_bandwidth_bytes_per_s();
}

double ChipModel::memory_capacity_bytes() const {
  return chip_->memory().capacity_gib() * 1024.0 * 1024.0 * 1024.0;
}

double ChipModel::memory_bandwidth_bytes_per_s() const {
  return chip_->memory().bandwidth_gb_per_s() * 1e9;
}

double ChipModel::device_link_bytes_per_s() const {
  const auto& link = chip_->has_scale_up() ? chip_->scale_up() : chip_->host_link();
  return link.bandwidth_gb_per_s() * 1e9;
}

double ChipModel::device_link_latency_s() const {
  const auto& link = chip_->has_scale_up() ? chip_->scale_up() : chip_->host_link();
  return link.latency_ns() * 1e-9;
}

}  // namespace kcsim

#include "hw-models/chip_model.hpp"

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
  if (power.has_active_idle_w() &&
      (power.active_idle_w() < power.idle_w() || power.active_idle_w() > power.tdp_w())) {
    throw InputError(
        fmt::format("chip {}: power.active_idle_w: must lie between idle_w and tdp_w", name()));
  }
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

Dtype ChipModel::equivalent_dtype(Dtype dtype) const {
  if (supports(dtype)) return dtype;
  Dtype twin = dtype == config::BF16 ? config::FP16 : dtype == config::FP16 ? config::BF16 : dtype;
  return supports(twin) ? twin : dtype;
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

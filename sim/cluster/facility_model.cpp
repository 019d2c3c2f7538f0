#include "sim/cluster/facility_model.hpp"

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {
namespace {

// Without a cooling model the overhead (PUE - 1) x IT is split in seed 000's proportions:
// cooling 39, power conditioning 10, lighting 1.
constexpr double kCoolingShare = 39.0 / 50.0, kConversionShare = 10.0 / 50.0,
                 kLightingShare = 1.0 / 50.0;

void require_fraction(double value, const char* field, double below) {
  if (!(value >= 0 && value < below)) {
    throw InputError(
        fmt::format("facility: {}: must lie in [0, {}) (got {})", field, below, value));
  }
}

}  // namespace

FacilityModel::FacilityModel(const config::Facility& facility) : facility_(facility) {
  if (!(facility_.pue() >= 1)) {
    throw InputError(fmt::format("facility: pue: must be at least 1 (got {})", facility_.pue()));
  }
  require_fraction(facility_.conversion_loss_fraction(), "conversion_loss_fraction", 1);
  require_fraction(facility_.storage_w_per_compute_w(), "storage_w_per_compute_w", 10);
  require_fraction(facility_.lighting_w_per_it_w(), "lighting_w_per_it_w", 10);
  if (facility_.has_network_w_per_compute_w()) {
    require_fraction(facility_.network_w_per_compute_w(), "network_w_per_compute_w", 10);
  }
  if (facility_.cooling().has_w_per_it_w()) {
    require_fraction(facility_.cooling().w_per_it_w(), "cooling.w_per_it_w", 10);
  }
  if (facility_.has_rack_power_kw() && !(facility_.rack_power_kw() > 0)) {
    throw InputError(fmt::format("facility: rack_power_kw: must be positive (got {})",
                                 facility_.rack_power_kw()));
  }
  if (facility_.power_budget_mw() < 0) {
    throw InputError("facility: power_budget_mw: must not be negative");
  }
}

bool FacilityModel::has_cooling_model() const {
  return facility_.cooling().kind() != config::COOLING_UNSPECIFIED;
}

double FacilityModel::cooling_w_per_it_w() const {
  const auto& cooling = facility_.cooling();
  if (cooling.has_w_per_it_w()) return cooling.w_per_it_w();
  if (cooling.kind() == config::LIQUID) return kLiquidCoolingWPerItW;
  if (cooling.kind() == config::AIR) return kAirCoolingWPerItW;
  return (facility_.pue() - 1) * kCoolingShare;
}

double FacilityModel::rack_power_w() const {
  if (facility_.has_rack_power_kw()) return facility_.rack_power_kw() * 1e3;
  return facility_.cooling().kind() == config::LIQUID ? 100e3 : 40e3;
}

FacilityPower FacilityModel::power(double compute_w, double network_w) const {
  FacilityPower p;
  p.compute_w = compute_w;
  p.network_w = facility_.has_network_w_per_compute_w()
                    ? facility_.network_w_per_compute_w() * compute_w
                    : network_w;
  p.storage_w = facility_.storage_w_per_compute_w() * compute_w;
  double it = p.it_w();
  if (!has_cooling_model()) {
    double overhead = (facility_.pue() - 1) * it;
    p.cooling_w = overhead * kCoolingShare;
    p.conversion_w = overhead * kConversionShare;
    p.lighting_w = overhead * kLightingShare;
    return p;
  }
  p.cooling_w = cooling_w_per_it_w() * it;
  p.lighting_w = facility_.lighting_w_per_it_w() * it;
  // The losses are a share of the input: input = (IT + cooling + lighting) / (1 - loss).
  double loss = facility_.conversion_loss_fraction();
  double input = (it + p.cooling_w + p.lighting_w) / (1 - loss);
  p.conversion_w = input * loss;
  return p;
}

}  // namespace kcsim

// The building around the IT load: cooling (a PUE, or an air or liquid cooling model), power
// conversion losses, storage, lighting, rack budgets; carbon and electricity price.
#pragma once

#include "cluster.pb.h"

namespace kcsim {

// Where a facility's power goes, watts. IT = compute + network + storage.
struct FacilityPower {
  double compute_w = 0;  // devices and their servers
  double network_w = 0;  // switches and links outside the servers
  double storage_w = 0;
  double cooling_w = 0;
  double conversion_w = 0;  // UPS, PDU and transformer losses
  double lighting_w = 0;    // lighting and other building loads
  double it_w() const { return compute_w + network_w + storage_w; }
  double total_w() const { return it_w() + cooling_w + conversion_w + lighting_w; }
  double pue() const { return it_w() > 0 ? total_w() / it_w() : 0; }
};

class FacilityModel {
 public:
  // Reads `facility` in place (no copy: energy accounting builds one per run); it must outlive
  // the model.
  explicit FacilityModel(const config::Facility& facility);

  const config::Facility& config() const { return facility_; }
  bool has_cooling_model() const;
  // Cooling watts per IT watt: the configured figure, else the cooling kind's default.
  double cooling_w_per_it_w() const;
  double rack_power_w() const;
  // `network_w` is used unless the facility fixes network power per compute watt.
  FacilityPower power(double compute_w, double network_w) const;

  double kgco2_per_kwh() const { return facility_.grid_kgco2_per_kwh(); }
  double krw_per_kwh() const { return facility_.electricity_krw_per_kwh(); }

 private:
  const config::Facility& facility_;
};

// Air cooling at seed 000's split (cooling 39 % of a facility whose IT load is 50 %), and liquid
// cooling at 90 % less.
inline constexpr double kAirCoolingWPerItW = 0.78;
inline constexpr double kLiquidCoolingWPerItW = 0.078;

}  // namespace kcsim

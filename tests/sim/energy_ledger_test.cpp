// Energy accounting: conservation against power samples, idle clusters, the facility split.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "sim/cluster/facility_model.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/power/energy_ledger.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;
using namespace kcsim::test;

namespace {

double integral(const std::vector<PowerSample>& samples, double duration_s) {
  double joules = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    double end = i + 1 < samples.size() ? samples[i + 1].time_s : duration_s;
    joules += samples[i].power_w * (end - samples[i].time_s);
  }
  return joules;
}

}  // namespace

TEST_CASE("an idle cluster burns exactly idle power times time", "[sim][energy]") {
  auto cluster = catalog_cluster("dgx-h100", 2);
  EnergyLedger ledger(cluster.chip, cluster.devices());
  ledger.keep_intervals();
  DeviceEnergy devices = ledger.finish(3600, 0);
  CHECK(devices.device_j == 16 * 75.0 * 3600);
  CHECK(devices.memory_j == 0);
  auto samples = ledger.power_samples(3, 3600, false);
  CHECK(integral(samples, 3600) == 75.0 * 3600);
}

TEST_CASE("device energy equals the integral of the recorded power samples", "[sim][energy]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  EnergyLedger ledger(cluster.chip, 8);
  ledger.keep_intervals();
  // Uneven busy intervals on each device, gaps between them.
  for (int d = 0; d < 8; ++d) {
    for (int k = 0; k < 5; ++k) {
      double start = 0.1 * k + 0.01 * d;
      double busy = 0.2 + 0.1 * ((d + k) % 4);
      DevicePower power = waiting_power(cluster.chip);
      power.compute_w = 200 * busy * (1.0 - 0.05 * (k % 3));
      power.memory_w = 100 * (1 - busy);
      ledger.add_interval(d, start, start + 0.05 + 0.005 * d, power);
    }
  }
  double duration = 0.6;
  DeviceEnergy total = ledger.finish(duration, 8);
  double from_samples = 0;
  for (int d = 0; d < 8; ++d) {
    auto samples = ledger.power_samples(d, duration, true);
    for (const auto& s : samples) CHECK(s.power_w <= cluster.chip.tdp_w());
    from_samples += integral(samples, duration);
  }
  CHECK_THAT(from_samples, WithinRel(total.total_j(), 1e-12));
}

TEST_CASE("a facility configured like seed 000 reproduces its split and implies PUE 2.0",
          "[sim][energy][facility]") {
  // Seed 000: compute 40 %, cooling 39 %, power conditioning 10 %, network 5 %, storage 5 %,
  // lighting 1 %. Per compute watt: network and storage 0.125 each; per IT watt (50 %):
  // cooling 0.78, lighting 0.02; conversion 10 % of the input.
  config::Facility f;
  f.mutable_cooling()->set_kind(config::AIR);
  f.set_conversion_loss_fraction(0.10);
  f.set_storage_w_per_compute_w(0.125);
  f.set_network_w_per_compute_w(0.125);
  f.set_lighting_w_per_it_w(0.02);
  FacilityModel facility(f);
  CHECK(facility.cooling_w_per_it_w() == kAirCoolingWPerItW);
  FacilityPower p = facility.power(40e6, 0);
  double total = p.total_w();
  CHECK_THAT(p.compute_w / total, WithinAbs(0.40, 1e-12));
  CHECK_THAT(p.cooling_w / total, WithinAbs(0.39, 1e-12));
  CHECK_THAT(p.conversion_w / total, WithinAbs(0.10, 1e-12));
  CHECK_THAT(p.network_w / total, WithinAbs(0.05, 1e-12));
  CHECK_THAT(p.storage_w / total, WithinAbs(0.05, 1e-12));
  CHECK_THAT(p.lighting_w / total, WithinAbs(0.01, 1e-12));
  CHECK_THAT(p.pue(), WithinRel(2.0, 1e-12));

  SECTION("liquid cooling cuts cooling power by 90 % and allows 100 kW racks") {
    config::Facility liquid_config = f;
    liquid_config.mutable_cooling()->set_kind(config::LIQUID);
    FacilityModel liquid(liquid_config);
    CHECK_THAT(liquid.power(40e6, 0).cooling_w, WithinRel(0.1 * p.cooling_w, 1e-12));
    CHECK(liquid.rack_power_w() == 100e3);
    CHECK(facility.rack_power_w() == 40e3);
  }
  SECTION("without a cooling model the overhead follows the PUE") {
    config::Facility plain;
    plain.set_pue(1.3);
    FacilityPower q = FacilityModel(plain).power(1e6, 0);
    CHECK_THAT(q.pue(), WithinRel(1.3, 1e-12));
  }
}

TEST_CASE("serving energy adds up and prices in CO2 and KRW", "[sim][energy]") {
  auto cluster = catalog_cluster("dgx-a100", 1);
  auto r = simulate_serving_analytical(cluster, serving(cluster, "llama2-13b", 2, 16, 512, 128));
  const auto& e = r.energy;
  CHECK_THAT(e.it_j,
             WithinRel(e.device_j + e.memory_j + e.link_j + e.network_j + e.server_j + e.storage_j,
                       1e-12));
  CHECK_THAT(e.facility_j, WithinRel(e.it_j + e.cooling_j + e.conversion_j + e.lighting_j, 1e-12));
  CHECK_THAT(e.pue, WithinRel(cluster.config.facility().pue(), 1e-9));
  double kwh = e.facility_j / 3.6e6;
  CHECK_THAT(e.co2_kg, WithinRel(kwh * 0.4173, 1e-12));
  CHECK_THAT(e.cost_krw, WithinRel(kwh * 182.7, 1e-12));
  CHECK_THAT(e.tokens_per_kwh, WithinRel(4.0 * 16 * 128 / kwh, 1e-12));
  // Idle devices: the 8 - 2 x 4 = 0 left over; every device is held by a replica.
  CHECK(r.avg_device_power_w > cluster.chip.idle_w());
  CHECK(r.avg_device_power_w <= cluster.chip.tdp_w());
}

TEST_CASE("a bad facility is an input error naming the field", "[sim][energy][facility]") {
  auto config = catalog().cluster("dgx-a100");
  config.mutable_facility()->set_pue(0.8);
  CHECK_THROWS_WITH(resolve_cluster(config, catalog()),
                    Catch::Matchers::ContainsSubstring("facility.pue: must lie in [1, 10]"));
  config.mutable_facility()->set_pue(1.2);
  config.mutable_facility()->set_conversion_loss_fraction(1.5);
  CHECK_THROWS_WITH(resolve_cluster(config, catalog()),
                    Catch::Matchers::ContainsSubstring("conversion_loss_fraction"));
}

#include "sim/energy_ledger.hpp"

#include <algorithm>


namespace kcsim {

EnergyLedger::EnergyLedger(const ChipModel& chip, int devices) : chip_(chip), devices_(devices) {}

void EnergyLedger::add_interval(int device, double start_s, double end_s,
                                const DeviceActivity& activity) {
  if (!(end_s > start_s)) return;
  DevicePower power = device_power(chip_, activity);
  intervals_[device].push_back({start_s, end_s, power});
  double seconds = end_s - start_s;
  recorded_.device_j += (power.idle_w + power.held_w + power.compute_w) * seconds;
  recorded_.memory_j += power.memory_w * seconds;
  recorded_device_s_ += seconds;
}

void EnergyLedger::add_device_time(double device_s, const DeviceActivity& activity) {
  if (!(device_s > 0)) return;
  DevicePower power = device_power(chip_, activity);
  recorded_.device_j += (power.idle_w + power.held_w + power.compute_w) * device_s;
  recorded_.memory_j += power.memory_w * device_s;
  recorded_device_s_ += device_s;
}

DeviceEnergy EnergyLedger::finish(double duration_s, int held) const {
  DeviceEnergy energy = recorded_;
  held = std::clamp(held, 0, devices_);
  // Gaps: the held devices' unrecorded time waits held, the rest of the cluster idles.
  double held_gap_s = std::max(0.0, held * duration_s - recorded_device_s_);
  double idle_gap_s = (devices_ - held) * duration_s;
  energy.device_j += held_idle_w(chip_) * held_gap_s + chip_.idle_w() * idle_gap_s;
  return energy;
}

std::vector<PowerSample> EnergyLedger::power_samples(int device, double duration_s,
                                                     bool held) const {
  double gap_w = held ? held_idle_w(chip_) : chip_.idle_w();
  std::vector<PowerSample> samples{{0, gap_w}};
  auto it = intervals_.find(device);
  if (it == intervals_.end()) return samples;
  auto spans = it->second;
  std::sort(spans.begin(), spans.end(),
            [](const Interval& a, const Interval& b) { return a.start_s < b.start_s; });
  for (const auto& span : spans) {
    if (span.start_s >= duration_s) break;
    if (samples.back().time_s == span.start_s) samples.pop_back();
    samples.push_back({span.start_s, span.power.total_w()});
    samples.push_back({std::min(span.end_s, duration_s), gap_w});
  }
  if (samples.back().time_s >= duration_s && samples.size() > 1) samples.pop_back();
  return samples;
}

EnergyReport cluster_energy(const ClusterModel& cluster, const DeviceEnergy& devices,
                            double duration_s, const LinkActivity& activity, double tokens) {
  EnergyReport e;
  e.duration_s = duration_s;
  e.device_j = devices.device_j;
  e.memory_j = devices.memory_j;
  const LinkPowerTotals& links = cluster_link_power(cluster);
  auto link_w = [](double idle, double active, double busy) {
    return idle + (active - idle) * std::clamp(busy, 0.0, 1.0);
  };
  e.link_j =
      link_w(links.in_server_idle_w, links.in_server_active_w, activity.in_server) * duration_s;
  double network_w = link_w(links.network_idle_w, links.network_active_w, activity.between_servers);
  e.server_j = cluster.tiers.nodes * cluster.server_overhead_w() * duration_s;
  FacilityModel facility(cluster.config.facility());
  double compute_j = e.device_j + e.memory_j + e.link_j + e.server_j;
  if (duration_s > 0) {
    FacilityPower p = facility.power(compute_j / duration_s, network_w);
    e.network_j = p.network_w * duration_s;
    e.storage_j = p.storage_w * duration_s;
    e.cooling_j = p.cooling_w * duration_s;
    e.conversion_j = p.conversion_w * duration_s;
    e.lighting_j = p.lighting_w * duration_s;
    e.pue = p.pue();
  }
  e.it_j = compute_j + e.network_j + e.storage_j;
  e.facility_j = e.it_j + e.cooling_j + e.conversion_j + e.lighting_j;
  if (duration_s > 0) {
    e.avg_it_power_w = e.it_j / duration_s;
    e.avg_facility_power_w = e.facility_j / duration_s;
  }
  double kwh = e.facility_j / 3.6e6;
  e.co2_kg = kwh * facility.kgco2_per_kwh();
  e.cost_krw = kwh * facility.krw_per_kwh();
  e.tokens = tokens;
  e.tokens_per_kwh = kwh > 0 ? tokens / kwh : 0;
  return e;
}

}  // namespace kcsim

#include "sim/power/energy_ledger.hpp"

#include <algorithm>

namespace kcsim {

EnergyLedger::EnergyLedger(const ChipModel& chip, int devices)
    : EnergyLedger(chip, devices, waiting_power(chip)) {}

EnergyLedger::EnergyLedger(const ChipModel& chip, int devices, const DevicePower& wait)
    : chip_(chip), devices_(devices), wait_(wait) {}

void EnergyLedger::add_interval(int device, double start_s, double end_s,
                                const DevicePower& power) {
  if (!(end_s > start_s)) return;
  if (keep_intervals_) intervals_[device].push_back({start_s, end_s, power});
  double seconds = end_s - start_s;
  recorded_.device_j += (power.idle_w + power.held_w + power.compute_w) * seconds;
  recorded_.memory_j += power.memory_w * seconds;
  recorded_device_s_ += seconds;
}

void EnergyLedger::add_device_time(double device_s, const DevicePower& power) {
  if (!(device_s > 0)) return;
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
  energy.device_j += wait_.total_w() * held_gap_s + chip_.idle_w() * idle_gap_s;
  return energy;
}

std::vector<PowerSample> EnergyLedger::power_samples(int device, double duration_s,
                                                     bool held) const {
  double gap_w = held ? wait_.total_w() : chip_.idle_w();
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

}  // namespace kcsim

// Device energy as the integral of power over a run: feed the ledger what each device drew
// (intervals on a timeline, or device-seconds at a draw for a closed-form engine);
// cluster_energy.hpp adds the servers, the links and the facility.
#pragma once

#include <map>
#include <vector>

#include "hw-models/power_model.hpp"
#include "sim/power/cluster_energy.hpp"

namespace kcsim {

struct PowerSample {
  double time_s = 0;
  double power_w = 0;  // from this time until the next sample
};

class EnergyLedger {
 public:
  // Held devices wait at `wait` between what is recorded for them (default: held at the
  // nominal state).
  EnergyLedger(const ChipModel& chip, int devices);
  EnergyLedger(const ChipModel& chip, int devices, const DevicePower& wait);

  // Keeps every interval from now on, for power_samples. Off by default: the engines need only
  // the sums, and a long event run records hundreds of intervals per device.
  void keep_intervals() { keep_intervals_ = true; }

  // Device `device` draws `power` from `start_s` to `end_s`. A device's intervals must not
  // overlap; the time between them is filled at finish.
  void add_interval(int device, double start_s, double end_s, const DevicePower& power);
  // `device_s` device-seconds at `power`, off any timeline (closed-form engines).
  void add_device_time(double device_s, const DevicePower& power);

  // Devices [0, held) wait held by the job whenever nothing was recorded for them; the others
  // sit idle. Time beyond `duration_s` recorded for a device is kept (the caller's clock).
  DeviceEnergy finish(double duration_s, int held) const;
  // Device `device`'s power as steps from 0 to `duration_s`, gaps filled as finish fills them;
  // the intervals recorded since keep_intervals().
  std::vector<PowerSample> power_samples(int device, double duration_s, bool held) const;

  int devices() const { return devices_; }

 private:
  struct Interval {
    double start_s, end_s;
    DevicePower power;
  };
  const ChipModel& chip_;
  int devices_ = 0;
  DevicePower wait_;
  bool keep_intervals_ = false;
  std::map<int, std::vector<Interval>> intervals_;
  DeviceEnergy recorded_;
  double recorded_device_s_ = 0;
};

}  // namespace kcsim

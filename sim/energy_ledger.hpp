// Energy as the integral of power over a run. Feed the ledger what each device did (intervals on
// a timeline, or device-seconds in a state for a closed-form engine); cluster_energy adds the
// links, the servers and the facility and prices the result in CO2 and KRW.
#pragma once

#include <map>
#include <vector>

#include "analysis/results.hpp"
#include "hw-models/power_model.hpp"
#include "sim/cluster_model.hpp"
#include "sim/facility_model.hpp"

namespace kcsim {

struct PowerSample {
  double time_s = 0;
  double power_w = 0;  // from this time until the next sample
};

// Device (floor, held and compute) and memory energy of a set of devices.
struct DeviceEnergy {
  double device_j = 0;
  double memory_j = 0;
  double total_j() const { return device_j + memory_j; }
};

class EnergyLedger {
 public:
  EnergyLedger(const ChipModel& chip, int devices);

  // Device `device` does `activity` from `start_s` to `end_s`. A device's intervals must not
  // overlap; the time between them is filled at finish.
  void add_interval(int device, double start_s, double end_s, const DeviceActivity& activity);
  // `device_s` device-seconds in `activity`, off any timeline (closed-form engines).
  void add_device_time(double device_s, const DeviceActivity& activity);

  // Devices [0, held) wait held by the job whenever nothing was recorded for them; the others
  // sit idle. Time beyond `duration_s` recorded for a device is kept (the caller's clock).
  DeviceEnergy finish(double duration_s, int held) const;
  // Device `device`'s power as steps from 0 to `duration_s`, gaps filled as finish fills them.
  std::vector<PowerSample> power_samples(int device, double duration_s, bool held) const;

  int devices() const { return devices_; }

 private:
  struct Interval {
    double start_s, end_s;
    DevicePower power;
  };
  const ChipModel& chip_;
  int devices_ = 0;
  std::map<int, std::vector<Interval>> intervals_;
  DeviceEnergy recorded_;
  double recorded_device_s_ = 0;
};

// Fraction of the run each class of link carries traffic at full rate.
struct LinkActivity {
  double in_server = 0;
  double between_servers = 0;
};

// The links of the cluster's topology, summed when it was resolved (ClusterModel::link_power).
inline const LinkPowerTotals& cluster_link_power(const ClusterModel& cluster) {
  return cluster.link_power;
}

// The whole cluster over `duration_s`: `devices` as recorded, every server's overhead, the links
// at `links`, storage and the facility; `tokens` produced sets tokens per kWh.
EnergyReport cluster_energy(const ClusterModel& cluster, const DeviceEnergy& devices,
                            double duration_s, const LinkActivity& links, double tokens);

}  // namespace kcsim

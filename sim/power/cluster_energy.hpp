// A job's energy over a run: its devices as recorded, its share of the servers that hold them
// (their CPUs, fans, switches and power supplies following the load: hw-models/server_power.hpp),
// its share of the links, and the facility around it (cooling, conversion, lighting), priced in
// CO2 and KRW.
#pragma once

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"

namespace kcsim {

// Device (floor, held and compute) and memory energy of a set of devices.
struct DeviceEnergy {
  double device_j = 0;
  double memory_j = 0;
  double total_j() const { return device_j + memory_j; }
};

// Fraction of the run each class of the cluster's links (all of them) carries traffic at full
// rate: a job's own traffic.
struct LinkActivity {
  double in_server = 0;
  double between_servers = 0;
};

// Who pays for the servers. A job on part of a server is charged its own devices and the share
// of the server its devices are (the rest of the server is another tenant's); with
// `whole_servers`, every server it touches in full, its other devices idle.
struct EnergyAttribution {
  int devices = 0;  // the job's devices
  bool whole_servers = false;
};

// The links of the cluster's topology, summed when it was resolved (ClusterModel::link_power).
inline const LinkPowerTotals& cluster_link_power(const ClusterModel& cluster) {
  return cluster.link_power;
}

// The job's energy over `duration_s`: `devices` is what its `who.devices` devices drew; `links`
// its traffic; `tokens` produced sets tokens per kWh.
EnergyReport cluster_energy(const ClusterModel& cluster, const DeviceEnergy& devices,
                            double duration_s, const LinkActivity& links, double tokens,
                            const EnergyAttribution& who);

// Two jobs' (or two pools') reports over the same run as one: energies, servers, tokens, CO2 and
// cost added; averages and the PUE worked out again from the sums; a server's average power the
// servers' mean.
EnergyReport add_energy(const EnergyReport& a, const EnergyReport& b);

}  // namespace kcsim

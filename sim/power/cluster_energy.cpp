#include "sim/power/cluster_energy.hpp"

#include <algorithm>
#include <cmath>

#include "sim/cluster/facility_model.hpp"

namespace kcsim {

EnergyReport cluster_energy(const ClusterModel& cluster, const DeviceEnergy& devices,
                            double duration_s, const LinkActivity& activity, double tokens,
                            const EnergyAttribution& who) {
  EnergyReport e;
  e.duration_s = duration_s;
  e.device_j = devices.device_j;
  e.memory_j = devices.memory_j;
  const int per_node = std::max(1, cluster.tiers.devices_per_node);
  const int job_devices = std::clamp(who.devices, 1, std::max(1, cluster.devices()));
  // Servers charged: the job's share, or every server it touches.
  double touched = std::ceil(static_cast<double>(job_devices) / per_node);
  double servers = who.whole_servers ? touched : static_cast<double>(job_devices) / per_node;
  e.servers = servers;
  e.whole_servers = who.whole_servers;
  double job_device_w = duration_s > 0 ? devices.total_j() / duration_s / job_devices : 0;
  // One server's devices: all like the job's, or the job's and idle ones.
  double devices_in_servers = servers * per_node;
  double idle_devices = who.whole_servers ? devices_in_servers - job_devices : 0;
  e.device_j += idle_devices * cluster.chip.idle_w() * duration_s;
  double server_devices_w = (job_devices * job_device_w + idle_devices * cluster.chip.idle_w()) /
                            std::max(servers, 1e-12);
  double held = job_devices / std::max(devices_in_servers, 1e-12);
  ServerPowerDraw server =
      server_overhead(cluster, server_devices_w, held, std::clamp(activity.in_server, 0.0, 1.0));
  e.server_cpu_j = servers * server.cpu_w * duration_s;
  e.server_fixed_j = servers * server.fixed_w * duration_s;
  e.server_switch_j = servers * server.switch_w * duration_s;
  e.server_fan_j = servers * server.fan_w * duration_s;
  e.server_conversion_j = servers * server.conversion_w * duration_s;
  e.server_j = servers * server.overhead_w() * duration_s;

  // The links: the job's share of what they draw idle, and all of what its own traffic adds
  // (`activity` is the job's bytes over the whole cluster's links).
  const LinkPowerTotals& links = cluster_link_power(cluster);
  auto link_w = [](double share, double idle, double active, double busy) {
    return share * idle + (active - idle) * std::clamp(busy, 0.0, 1.0);
  };
  double server_share = servers / std::max(1, cluster.tiers.nodes);
  double network_share = who.whole_servers
                             ? server_share
                             : static_cast<double>(job_devices) / std::max(1, cluster.devices());
  e.link_j = link_w(server_share, links.in_server_idle_w, links.in_server_active_w,
                    activity.in_server) *
             duration_s;
  double network_w = link_w(network_share, links.network_idle_w, links.network_active_w,
                            activity.between_servers);
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
    e.avg_node_power_w =
        servers > 0 ? (e.device_j + e.memory_j + e.server_j + e.link_j) / servers / duration_s : 0;
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

EnergyReport add_energy(const EnergyReport& a, const EnergyReport& b) {
  EnergyReport e;
  e.duration_s = std::max(a.duration_s, b.duration_s);
  auto sum = [&](double EnergyReport::*field) { e.*field = a.*field + b.*field; };
  for (auto field : {&EnergyReport::device_j, &EnergyReport::memory_j, &EnergyReport::link_j,
                     &EnergyReport::network_j, &EnergyReport::server_j,
                     &EnergyReport::server_cpu_j, &EnergyReport::server_fixed_j,
                     &EnergyReport::server_switch_j, &EnergyReport::server_fan_j,
                     &EnergyReport::server_conversion_j, &EnergyReport::servers,
                     &EnergyReport::storage_j, &EnergyReport::cooling_j,
                     &EnergyReport::conversion_j, &EnergyReport::lighting_j, &EnergyReport::it_j,
                     &EnergyReport::facility_j, &EnergyReport::co2_kg, &EnergyReport::cost_krw,
                     &EnergyReport::tokens}) {
    sum(field);
  }
  e.whole_servers = a.whole_servers || b.whole_servers;
  if (e.duration_s > 0) {
    e.avg_it_power_w = e.it_j / e.duration_s;
    e.avg_facility_power_w = e.facility_j / e.duration_s;
  }
  e.pue = e.it_j > 0 ? e.facility_j / e.it_j : 0;
  e.avg_node_power_w =
      e.servers > 0 ? (a.avg_node_power_w * a.servers + b.avg_node_power_w * b.servers) / e.servers
                    : 0;
  double kwh = e.facility_j / 3.6e6;
  e.tokens_per_kwh = kwh > 0 ? e.tokens / kwh : 0;
  return e;
}

}  // namespace kcsim

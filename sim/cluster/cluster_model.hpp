// A cluster resolved against the catalogs: the chip with its overrides applied, the link tiers,
// and the server power that is not the devices'.
#pragma once

#include <memory>
#include <string>

#include "cluster.pb.h"
#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "hw-models/chip_model.hpp"
#include "hw-models/server_power.hpp"
#include "topology/tiers.hpp"

namespace kcsim::topology {
class Topology;
}

namespace kcsim {

// Idle and full-rate power of every link of the cluster's topology, inside servers and between
// them (estimates: topology/link_power).
struct LinkPowerTotals {
  double in_server_idle_w = 0, in_server_active_w = 0;
  double network_idle_w = 0, network_active_w = 0;
};

struct ClusterModel {
  std::string name;
  config::Cluster config;  // node.chip_overrides already folded into `chip`
  ChipModel chip;
  NetworkTiers tiers;

  int devices() const { return tiers.devices_per_node * tiers.nodes; }
  // One server's own draw at full load (devices at TDP, CPUs busy, fans at speed).
  double server_overhead_w() const;
  // Host single-thread speed relative to the DGX A100 host.
  double host_speed() const { return config.node().host().relative_speed(); }
  // One server at full load: its devices at TDP plus its own draw.
  double server_peak_w() const;
  // Devices at TDP plus every server's own draw at that load.
  double peak_it_power_w() const;

  // The cluster as a graph (topology/), built once when the cluster is resolved: the analytical
  // engine routes flows over it to find shared links.
  std::shared_ptr<const topology::Topology> topology;
  // Summed once from the topology when the cluster is resolved; energy accounting reads it.
  LinkPowerTotals link_power;
};

// A server's own draw (everything but its devices and links) when its devices draw
// `devices_w` in all, `held` of them (0..1) held by jobs, its switches `switch_busy` busy: the
// node's `server` model, or its constant `server_overhead_w`.
ServerPowerDraw server_overhead(const ClusterModel& cluster, double devices_w, double held,
                                double switch_busy);

// The most devices a cluster may hold: a resolved cluster keeps its whole topology (about 3 kB
// and 50 us of set-up per device), so this bounds a run to seconds and under 1 GB before any of
// it is built. A larger cluster is refused as infeasible.
constexpr long long kMaxClusterDevices = 262144;
// The most devices one server of a DIRECT fabric may hold: it is a full mesh, so its links grow
// as the square (64 devices: 63 ports per chip, 2,016 links per server).
constexpr int kMaxDirectMeshDevices = 64;

// Resolves `cluster`; errors point into `file` at `path` ("clusters[1]") when given. Every
// value is checked against the schema first (a cluster built in memory, from flags or a sweep
// point, included); more than kMaxClusterDevices devices throws InfeasibleError.
ClusterModel resolve_cluster(const config::Cluster& cluster, const config::Catalog& catalog,
                             const config::LoadedFile* file = nullptr,
                             const std::string& path = "");

}  // namespace kcsim

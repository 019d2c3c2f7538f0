#include "topology/tiers.hpp"

namespace kcsim {
namespace {

LinkTier tier_from_link(const config::Link& link) {
  return LinkTier{link.name(), link.bandwidth_gb_per_s() * 1e9, link.latency_ns() * 1e-9};
}

// A PCIe peer-to-peer step crosses a switch and the root complex: about 1 us when the chip's
// link does not say (estimate from typical PCIe Gen4/Gen5 switch latencies of 100-300 ns per
// hop plus DMA setup).
constexpr double kDefaultPcieLatencyS = 1e-6;
// An NVLink/NVSwitch collective step: ASTRA-sim's calibrated HGX H100 model uses 936 ns.
constexpr double kDefaultScaleUpLatencyS = 0.936e-6;

}  // namespace

NetworkTiers network_tiers(const config::Cluster& cluster, const config::Chip& chip) {
  NetworkTiers tiers;
  const auto& node = cluster.node();
  tiers.devices_per_node = node.devices_per_node() > 0 ? node.devices_per_node() : 1;
  tiers.nodes = cluster.nodes() > 0 ? cluster.nodes() : 1;

  bool pcie = node.fabric() == config::PCIE || !chip.has_scale_up();
  if (node.has_intra_node()) {
    tiers.intra_node = tier_from_link(node.intra_node());
  } else if (pcie) {
    tiers.intra_node = tier_from_link(chip.host_link());
  } else {
    tiers.intra_node = tier_from_link(chip.scale_up());
  }
  if (tiers.intra_node.latency_s <= 0) {
    tiers.intra_node.latency_s = pcie ? kDefaultPcieLatencyS : kDefaultScaleUpLatencyS;
  }

  const auto& net = cluster.scale_out();
  double oversubscription = net.oversubscription() > 0 ? net.oversubscription() : 1.0;
  tiers.scale_out.name = net.kind();
  tiers.scale_out.bandwidth_bytes_per_s = net.nic_bandwidth_gbit_per_s() * 1e9 / 8 / oversubscription;
  tiers.scale_out.latency_s = net.latency_ns() * 1e-9;
  tiers.oversubscription = oversubscription;
  return tiers;
}

}  // namespace kcsim

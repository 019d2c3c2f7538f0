#include "topology/link_power.hpp"

namespace kcsim::topology {
namespace {

struct MediumEnergy {
  double picojoules_per_bit;  // both ends, counted on the bits a full link moves
  double idle_fraction;       // idle power as a share of active power
};

// Estimates. SerDes energy per bit stays roughly constant within a generation, so power is taken
// as proportional to the link rate.
MediumEnergy medium_energy(LinkMedium medium) {
  switch (medium) {
    case LinkMedium::ScaleUp:
      // 100G-class PAM4 SerDes at chip-to-chip reach spend ~3-5 pJ/bit per end. One NVLink4 port
      // (2 lanes x 100 Gb/s each way) then draws ~3 W, and an H100's 18 ports ~58 W split between
      // the GPU and the NVSwitch side. Links stay trained when quiet; low-power states save
      // ~40%.
      return {8.0, 0.6};
    case LinkMedium::Pcie:
      // Gen5 PHYs ~5 pJ/bit per end: an x16 Gen5 link (64 GB/s each way) ~10 W, matching a
      // 144-lane PCIe switch at ~50-60 W (~6 W per x16 port on the switch side). Servers often
      // leave ASPM L1 off; L0s and clock gating halve idle power at best.
      return {10.0, 0.5};
    case LinkMedium::NetworkCopper:
      // A 400 Gb/s port pair on direct-attach copper: NIC and switch SerDes plus port logic,
      // ~5-7 W per end, no transceivers: ~12 W per 800 Gb/s both ways.
      return {15.0, 0.85};
    case LinkMedium::NetworkOptical:
      // A 400 Gb/s NIC port ~10-20 W (a ConnectX-7 adapter ~20 W), two 400G OSFP transceivers
      // ~8-10 W each, and the switch port's share of a 51.2 Tb/s ASIC (~500 W / 128 ports ~4 W):
      // ~37 W per 800 Gb/s both ways. Lasers, DSPs and SerDes run with or without packets;
      // measured switch power moves only 10-20% between idle and full load.
      return {45.0, 0.85};
  }
  return {0, 0};
}

}  // namespace

LinkPower estimate_link_power(LinkMedium medium, double bandwidth_bytes_per_s) {
  MediumEnergy energy = medium_energy(medium);
  double bits_per_s_both_ways = 2 * 8 * bandwidth_bytes_per_s;
  double active_w = energy.picojoules_per_bit * 1e-12 * bits_per_s_both_ways;
  return {energy.idle_fraction * active_w, active_w};
}

LinkInfo make_link(const LinkSpec& spec) {
  LinkPower power = estimate_link_power(spec.medium, spec.bandwidth_bytes_per_s);
  LinkInfo link;
  link.technology = spec.technology;
  link.bandwidth_bytes_per_s = spec.bandwidth_bytes_per_s;
  link.latency_s = spec.latency_s;
  link.idle_power_w = power.idle_w;
  link.active_power_w = power.active_w;
  return link;
}

}  // namespace kcsim::topology

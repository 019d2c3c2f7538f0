// Power of one link, by the medium it runs over. Every figure here is an estimate (no vendor
// publishes per-link power); link_power.cpp gives the reasoning for each.
#pragma once

#include <string>

#include "topology/graph.hpp"

namespace kcsim::topology {

enum class LinkMedium {
  ScaleUp,          // NVLink, chip-to-chip torus links: short-reach electrical SerDes
  Pcie,             // PCIe card, switch and root-complex links
  NetworkCopper,    // NIC/switch ports on direct-attach copper (inside a rack or dragonfly group)
  NetworkOptical,   // NIC/switch ports with optical transceivers (across racks)
};

struct LinkPower {
  double idle_w = 0;
  double active_w = 0;
};

// Both ends of a link of this bandwidth (per direction) together.
LinkPower estimate_link_power(LinkMedium medium, double bandwidth_bytes_per_s);

// What a builder knows about a kind of link before it places one.
struct LinkSpec {
  std::string technology;
  LinkMedium medium = LinkMedium::NetworkOptical;
  double bandwidth_bytes_per_s = 0;  // per direction
  double latency_s = 0;
};

// A link with its power filled in from the medium; the name is set when it joins a topology.
LinkInfo make_link(const LinkSpec& spec);

}  // namespace kcsim::topology

// The two levels every cluster has: the fabric inside a server and the network between servers,
// each seen from one device (bandwidth per direction, latency per hop).
#pragma once

#include <string>

#include "chip.pb.h"
#include "cluster.pb.h"

namespace kcsim {

struct LinkTier {
  std::string name;
  double bandwidth_bytes_per_s = 0;  // per device, per direction
  double latency_s = 0;              // per step of a collective
};

struct NetworkTiers {
  int devices_per_node = 1;
  int nodes = 1;
  LinkTier intra_node;
  LinkTier scale_out;           // bandwidth already divided by the oversubscription ratio
  double oversubscription = 1;  // of the scale-out network's leaves (>= 1)

  // The same tiers with the NICs' full bandwidth between servers: what a flow gets on links it
  // has to itself.
  NetworkTiers unshared() const {
    NetworkTiers t = *this;
    t.scale_out.bandwidth_bytes_per_s *= oversubscription;
    t.oversubscription = 1;
    return t;
  }
};

// Reads the tiers from a cluster and its (resolved) chip: the intra-node link is the node's
// intra_node link, else the chip's scale-up link (NVSwitch, direct links) or host link (PCIe
// peer to peer); the scale-out link is the cluster network's NIC bandwidth per device.
NetworkTiers network_tiers(const config::Cluster& cluster, const config::Chip& chip);

}  // namespace kcsim

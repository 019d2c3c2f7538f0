// Config messages for cluster topology tests, built in code so the tests need no catalog.
#pragma once

#include <string>

#include "chip.pb.h"
#include "cluster.pb.h"

namespace kcsim::topology::testing {

// An H100 SXM-like chip: NVLink4 at 450 GB/s per direction, PCIe Gen5 host link.
inline config::Chip nvlink_chip() {
  config::Chip chip;
  chip.set_name("h100-like");
  chip.mutable_scale_up()->set_name("NVLink4");
  chip.mutable_scale_up()->set_bandwidth_gb_per_s(450);
  chip.mutable_host_link()->set_name("PCIe Gen5 x16");
  chip.mutable_host_link()->set_bandwidth_gb_per_s(64);
  return chip;
}

// An RNGD-like card: no scale-up link, PCIe Gen5 peer to peer.
inline config::Chip pcie_chip() {
  config::Chip chip;
  chip.set_name("rngd-like");
  chip.mutable_host_link()->set_name("PCIe Gen5 x16");
  chip.mutable_host_link()->set_bandwidth_gb_per_s(64);
  return chip;
}

// DGX H100-like servers: 8 devices on NVSwitch, one 400 Gb/s NIC per device.
inline config::Cluster dgx_like(int nodes, const std::string& network_kind) {
  config::Cluster cluster;
  cluster.set_name("dgx-like");
  cluster.mutable_node()->set_devices_per_node(8);
  cluster.mutable_node()->set_fabric(config::NVSWITCH);
  cluster.set_nodes(nodes);
  cluster.mutable_scale_out()->set_kind(network_kind);
  cluster.mutable_scale_out()->set_nic_bandwidth_gbit_per_s(400);
  return cluster;
}

inline config::Cluster pcie_server(int nodes) {
  config::Cluster cluster;
  cluster.set_name("pcie-server");
  cluster.mutable_node()->set_devices_per_node(8);
  cluster.mutable_node()->set_fabric(config::PCIE);
  cluster.set_nodes(nodes);
  cluster.mutable_scale_out()->set_kind("fat-tree");
  cluster.mutable_scale_out()->set_nic_bandwidth_gbit_per_s(50);
  return cluster;
}

}  // namespace kcsim::topology::testing

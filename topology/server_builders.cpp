// Fabrics inside one server: NVSwitch, PCIe switch tree, direct chip-to-chip mesh.
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "topology/assembly.hpp"
#include "topology/builders.hpp"

namespace kcsim::topology {
namespace assembly {

void require(bool condition, const char* what) {
  if (!condition) throw std::invalid_argument(what);
}

std::vector<Vertex> add_server_devices(Topology& topology, int node, int count) {
  std::vector<Vertex> devices;
  devices.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    devices.push_back(topology.add_device(fmt::format("node{}.dev{}", node, i), node));
  }
  return devices;
}

void add_nvswitch(Topology& topology, int node, std::span<const Vertex> devices,
                  const LinkSpec& device_link) {
  Vertex nvswitch = topology.add_switch(fmt::format("node{}.nvswitch", node), kServerTier, node);
  LinkInfo link = make_link(device_link);
  for (Vertex device : devices) topology.add_link(device, nvswitch, link);
}

void add_pcie_tree(Topology& topology, int node, std::span<const Vertex> devices,
                   int devices_per_switch, const LinkSpec& link) {
  require(devices_per_switch > 0, "pcie: devices_per_switch must be positive");
  Vertex root = topology.add_switch(fmt::format("node{}.root", node), kServerTier, node);
  LinkInfo info = make_link(link);
  for (std::size_t first = 0; first < devices.size(); first += static_cast<std::size_t>(devices_per_switch)) {
    Vertex pcie_switch = topology.add_switch(
        fmt::format("node{}.pcie{}", node, first / static_cast<std::size_t>(devices_per_switch)),
        kServerTier, node);
    topology.add_link(pcie_switch, root, info);
    std::size_t end = std::min(devices.size(), first + static_cast<std::size_t>(devices_per_switch));
    for (std::size_t i = first; i < end; ++i) topology.add_link(devices[i], pcie_switch, info);
  }
}

void add_direct_mesh(Topology& topology, std::span<const Vertex> devices,
                     const LinkSpec& per_device_link) {
  if (devices.size() < 2) return;
  LinkSpec pair_link = per_device_link;
  pair_link.bandwidth_bytes_per_s /= static_cast<double>(devices.size() - 1);
  LinkInfo info = make_link(pair_link);
  for (std::size_t a = 0; a < devices.size(); ++a) {
    for (std::size_t b = a + 1; b < devices.size(); ++b) topology.add_link(devices[a], devices[b], info);
  }
}

}  // namespace assembly

Topology nvswitch_node(int devices, double per_device_bandwidth_bytes_per_s, double link_latency_s) {
  assembly::require(devices > 0, "nvswitch_node: devices must be positive");
  assembly::require(per_device_bandwidth_bytes_per_s > 0, "nvswitch_node: bandwidth must be positive");
  Topology topology("nvswitch-node");
  auto members = assembly::add_server_devices(topology, 0, devices);
  assembly::add_nvswitch(topology, 0, members,
                         {"NVLink", LinkMedium::ScaleUp, per_device_bandwidth_bytes_per_s, link_latency_s});
  return topology;
}

Topology pcie_node(int devices, int devices_per_switch, double link_bandwidth_bytes_per_s,
                   double link_latency_s) {
  assembly::require(devices > 0, "pcie_node: devices must be positive");
  assembly::require(link_bandwidth_bytes_per_s > 0, "pcie_node: bandwidth must be positive");
  Topology topology("pcie-node");
  auto members = assembly::add_server_devices(topology, 0, devices);
  assembly::add_pcie_tree(topology, 0, members, devices_per_switch,
                          {"PCIe", LinkMedium::Pcie, link_bandwidth_bytes_per_s, link_latency_s});
  return topology;
}

}  // namespace kcsim::topology

// Topologies of router-linked chips and routers: torus, dragonfly.
#include <string>

#include <fmt/format.h>

#include "topology/assembly.hpp"
#include "topology/builders.hpp"

namespace kcsim::topology {
namespace {

std::string torus_name(const std::vector<int>& coords) {
  std::string name = "chip";
  for (std::size_t i = 0; i < coords.size(); ++i) name += fmt::format("{}{}", i == 0 ? "" : ".", coords[i]);
  return name;
}

}  // namespace

Topology torus(const std::vector<int>& dims, double link_bandwidth_bytes_per_s, double link_latency_s) {
  assembly::require(!dims.empty(), "torus: needs at least one dimension");
  int devices = 1;
  for (int size : dims) {
    assembly::require(size > 0, "torus: every dimension must be positive");
    devices *= size;
  }
  assembly::require(link_bandwidth_bytes_per_s > 0, "torus: bandwidth must be positive");

  Topology topology("torus");
  std::vector<int> coords(dims.size(), 0);
  for (int rank = 0; rank < devices; ++rank) {
    for (std::size_t i = 0, rest = static_cast<std::size_t>(rank); i < dims.size(); ++i) {
      coords[i] = static_cast<int>(rest % static_cast<std::size_t>(dims[i]));
      rest /= static_cast<std::size_t>(dims[i]);
    }
    topology.add_device(torus_name(coords), rank, /*forwards=*/true);
  }

  LinkInfo link = make_link({"chip-to-chip", LinkMedium::ScaleUp, link_bandwidth_bytes_per_s, link_latency_s});
  int stride = 1;
  for (int size : dims) {
    for (int rank = 0; rank < devices; ++rank) {
      int coord = (rank / stride) % size;
      // A ring of two has one link between its chips; a ring of one has none.
      if (size < 2 || (size == 2 && coord == 1)) continue;
      int neighbour = rank + ((coord + 1) % size - coord) * stride;
      topology.add_link(topology.device(rank), topology.device(neighbour), link);
    }
    stride *= size;
  }
  return topology;
}

Topology dragonfly(const DragonflySpec& spec) {
  assembly::require(spec.groups > 0 && spec.routers_per_group > 0 && spec.devices_per_router > 0,
                    "dragonfly: groups, routers_per_group and devices_per_router must be positive");
  assembly::require(spec.global_links_per_router >= 0, "dragonfly: global_links_per_router must not be negative");
  assembly::require(spec.groups == 1 || spec.global_links_per_router > 0,
                    "dragonfly: several groups need global links");
  assembly::require(spec.link_bandwidth_bytes_per_s > 0, "dragonfly: bandwidth must be positive");

  Topology topology("dragonfly");
  const int groups = spec.groups;
  const int routers_per_group = spec.routers_per_group;
  std::vector<Vertex> routers;  // group-major
  LinkInfo copper = make_link({"router link", LinkMedium::NetworkCopper, spec.link_bandwidth_bytes_per_s, spec.link_latency_s});
  LinkInfo optical = make_link({"global link", LinkMedium::NetworkOptical, spec.link_bandwidth_bytes_per_s, spec.link_latency_s});

  for (int g = 0; g < groups; ++g) {
    for (int r = 0; r < routers_per_group; ++r) {
      std::string router_name = fmt::format("g{}.r{}", g, r);
      for (int d = 0; d < spec.devices_per_router; ++d) {
        int rank = static_cast<int>(topology.device_count());
        topology.add_device(fmt::format("{}.d{}", router_name, d), rank);
      }
      routers.push_back(topology.add_switch(router_name, kLeafTier));
    }
  }
  for (int rank = 0; rank < static_cast<int>(topology.device_count()); ++rank) {
    topology.add_link(topology.device(rank), routers[static_cast<std::size_t>(rank / spec.devices_per_router)], copper);
  }
  for (int g = 0; g < groups; ++g) {
    for (int a = 0; a < routers_per_group; ++a) {
      for (int b = a + 1; b < routers_per_group; ++b) {
        topology.add_link(routers[static_cast<std::size_t>(g * routers_per_group + a)],
                          routers[static_cast<std::size_t>(g * routers_per_group + b)], copper);
      }
    }
  }

  // Deal global ports round by round: each round links every pair of groups once, nearest
  // offsets first, while both groups have free ports.
  const int ports_per_group = routers_per_group * spec.global_links_per_router;
  std::vector<int> used(static_cast<std::size_t>(groups), 0);
  auto router_of_next_port = [&](int g) {
    int port = used[static_cast<std::size_t>(g)]++;
    return routers[static_cast<std::size_t>(g * routers_per_group + port / spec.global_links_per_router)];
  };
  for (bool added = true; added;) {
    added = false;
    for (int offset = 1; 2 * offset <= groups; ++offset) {
      for (int g = 0; g < groups; ++g) {
        int peer = (g + offset) % groups;
        if (2 * offset == groups && peer < g) continue;  // that pair was dealt from the other side
        if (used[static_cast<std::size_t>(g)] >= ports_per_group ||
            used[static_cast<std::size_t>(peer)] >= ports_per_group) {
          continue;
        }
        Vertex a = router_of_next_port(g);
        Vertex b = router_of_next_port(peer);
        topology.add_link(a, b, optical);
        added = true;
      }
    }
  }
  return topology;
}

}  // namespace kcsim::topology

// A topology graph turned into a SimGrid platform, built in C++: a host per device, a router per
// switch, a full-duplex link per graph edge, routed by the topology's own routing (fewest hops,
// equal-cost paths spread by hash; see topology_zone.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Link.hpp>

#include "sim/engines/event/platform/topology_zone.hpp"
#include "topology/graph.hpp"

namespace kcsim::event {

// CM02 without cross-traffic: a lone transfer takes exactly latency + bytes / bandwidth, and
// concurrent transfers share links max-min fairly. SimGrid's default (LV08) would stretch
// transfers by its TCP calibration factors.
inline constexpr const char* kNetworkModel = "CM02";

// Device hosts compute at this rate; the engines express an op's time as time * rate flops.
inline constexpr double kHostFlopsPerS = 1e12;

// Each actor's stack. An actor runs a device's or a replica's loop and the collectives it joins,
// none deeper than a few dozen frames of small locals (the test suite passes at 64 KiB);
// SimGrid's default of 8 MiB, allocated and zeroed per actor, was most of the event engine's
// memory and a third of its CPU at thousands of devices.
inline constexpr int kActorStackKiB = 256;
// The stack size the engine gives actors: kActorStackKiB, 4 times that under AddressSanitizer.
int actor_stack_kib();

// This process's SimGrid engine: quiet (warnings only on errors) and ready for tens of
// thousands of actors (no guard pages between their stacks, small stacks). One per process, and
// never torn down: every run is a child process that ends right after it (isolated_run.hpp),
// where freeing a platform of thousands of hosts one object at a time took a fifth of the run.
simgrid::s4u::Engine& start_engine();

struct Platform {
  std::vector<simgrid::s4u::Host*> devices;  // by rank
  std::vector<simgrid::s4u::Link*> links;    // in the topology's edge order
};

// Sets the engine's network model (kNetworkModel) and builds `topology` as its root zone. Routes
// between the device ranks of `pairs` (both ways) are computed now, any other on first use.
// Call once, before any actor is created.
Platform build_platform(simgrid::s4u::Engine& engine, const topology::Topology& topology,
                        const std::vector<std::pair<int, int>>& pairs = {});

// Latency of the route between two devices (the sum over its links), seconds.
double route_latency_s(const simgrid::s4u::Host* from, const simgrid::s4u::Host* to);
// The link directions of that route, in order, with their indices in the platform.
const TopologyZone::RouteLinks& route_links(const simgrid::s4u::Host* from,
                                            const simgrid::s4u::Host* to);
// That route's latency and the bandwidth of its slowest link, bytes/s (0 between a device and
// itself), from the zone's route cache.
TopologyZone::RouteSummary route_summary(const simgrid::s4u::Host* from,
                                         const simgrid::s4u::Host* to);

}  // namespace kcsim::event

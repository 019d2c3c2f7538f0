// Collectives as flows: every member of a ring sends its share to the next member in one
// transfer, after the ring's latency steps. A ring of n devices is n concurrent flows, not
// 2(n-1) x n messages, so its cost grows about linearly with n and it shares links with
// whatever else runs.
#pragma once

#include <string>
#include <vector>

#include <simgrid/s4u/Host.hpp>

#include "sim/collectives.hpp"

namespace kcsim::event {

struct CollectiveCall {
  std::string tag;  // unique per collective instance: names its mailboxes
  std::vector<simgrid::s4u::Host*> members;  // in rank order, per_node consecutive per server
  int per_node = 1;
  Collective kind = Collective::AllReduce;
  double bytes = 0;       // the buffer each member holds
  double efficiency = 1;  // share of link bandwidth the collective reaches
};

// This member's part of `call`, run from the member's own actor: each stage of
// collective_stages() as one ring flow. Returns when the member's flows are done.
void run_collective(const CollectiveCall& call, int position);

// One ring: waits steps - 1 route latencies, then sends volume x bytes / efficiency to the next
// member while receiving the same from the previous one.
void run_ring(const std::string& tag, const std::vector<simgrid::s4u::Host*>& ring, int index,
              Collective kind, double bytes, double efficiency);

// A point-to-point transfer between two actors (pipeline activations and gradients).
void send_bytes(const std::string& tag, double bytes);
void receive_bytes(const std::string& tag);

}  // namespace kcsim::event

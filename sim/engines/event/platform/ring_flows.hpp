// Collectives as flows: every member of a ring sends its share to the next member in one
// transfer, after the ring's latency steps. A ring of n devices is n concurrent flows, not
// 2(n-1) x n messages, so its cost grows about linearly with n and it shares links with
// whatever else runs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Host.hpp>

#include "sim/cost/collectives.hpp"
#include "sim/engines/event/platform/signal.hpp"

namespace kcsim::event {

struct CollectiveCall {
  std::string tag;  // unique per collective instance: names its mailboxes
  // The group: `size` members in rank order, per_node consecutive per server; `member` gives
  // the host at a position (the group is never materialised: it may span the whole cluster).
  int size = 0;
  std::function<simgrid::s4u::Host*(int position)> member;
  int per_node = 1;
  Collective kind = Collective::AllReduce;
  double bytes = 0;       // the buffer each member holds
  double efficiency = 1;  // share of link bandwidth the collective reaches
  int count = 1;          // back-to-back collectives of this shape, run as one flow per ring
  // Nothing else ever uses the server-internal links while this group's rings run on them:
  // those stages take their closed-form time instead of running as flows (same result, far
  // fewer activities).
  bool intra_node_private = false;
  // Between servers (collective_algorithm.hpp); auto compares the tuned ones on `tiers` (rings
  // when none are given).
  Algorithm algorithm = Algorithm::ring();
  const NetworkTiers* tiers = nullptr;
  CollectiveProtocol protocol{};  // the library's loops and channels
};

// The stages of `call`, in order (collective_stages over its group, algorithm and tiers).
std::vector<RingStage> call_stages(const CollectiveCall& call);
// Whether `stage` of `call` takes its closed-form time (ring_alone_s) instead of running as
// flows: a stage inside the servers of a call whose server links are private.
bool in_closed_form(const CollectiveCall& call, const RingStage& stage);

// This member's part of `call`, run from the member's own actor: each stage of
// collective_stages() as one ring flow. Returns when the member's flows are done.
void run_collective(const CollectiveCall& call, int position);
// The same, started `delay_s` from now, without sleeping the private-link stages that follow the
// last flow: returns their time, for the caller to sleep or to fold into what it does next.
double run_collective_folded(const CollectiveCall& call, int position, double delay_s);

// A stage on links nobody else uses, as the member on `self` sees it: its closed-form time from
// the route to `next`, announced to the observers as a flow running from `start_s`.
double ring_alone_s(const RingStage& stage, simgrid::s4u::Host* self, simgrid::s4u::Host* next,
                    double efficiency, int count, double start_s);

// Every (member, next member) pair, as positions in the group, over all rings of all stages of
// `kind`: the routes a collective needs.
std::vector<std::pair<int, int>> ring_neighbours(Collective kind, int size, int per_node);

// One stage of `n` members shaped `shape` (a ring, or a tree run over the ring's neighbours),
// `count` times over, as seen by the member at `index` on `self`: waits `delay_s` plus
// count x steps - 1 route latencies, then sends count x volume x bytes / efficiency to `next` (at
// index + 1) while receiving the same from the previous member.
void run_ring(const std::string& tag, int n, int index, simgrid::s4u::Host* self,
              simgrid::s4u::Host* next, RingShape shape, double bytes, double efficiency,
              int count = 1, double delay_s = 0);
// run_ring's wait before its flow, for a route of `latency_s`, and its flow's bytes.
double ring_wait_s(RingShape shape, int count, double latency_s, double delay_s);
uint64_t ring_flow_bytes(RingShape shape, double bytes, double efficiency, int count);

// A point-to-point transfer between two actors (a Chakra replay's sends and receives) to the
// actor on `to`; the send does not wait for the transfer.
simgrid::s4u::CommPtr send_bytes(const std::string& tag, double bytes,
                                 const simgrid::s4u::Host* to);
void receive_bytes(const std::string& tag);

// A flow as observers see it: a ring flow when it completes, a pipeline send when it is posted
// (its end then equals its start).
struct FlowEvent {
  const simgrid::s4u::Host* from = nullptr;
  const simgrid::s4u::Host* to = nullptr;
  double bytes = 0;
  double start_s = 0;
  double end_s = 0;
};

// Every flow the functions above run, for observers (link accounting, traces).
using FlowSignal = Signal<FlowEvent>;
FlowSignal& flow_signal();

}  // namespace kcsim::event

// Collectives whose ring flows never meet, timed without running them as flows.
//
// When no link carries the ring flows of two different senders, max-min sharing leaves every
// flow its route to itself: SimGrid gives it latency + bytes / rate, the rate being the route's
// slowest link (and CM02's TCP window bound), whatever the other members do. What sets the
// members' times is then only the rendezvous of the rings: a member posts its flow after its
// delay and the ring's latency steps, a flow starts once its sender and its receiver have both
// posted, and a member goes on once its own flow and its predecessor's are done.
// run_lone_rings computes that for every member of a collective at once, stage by stage, as
// run_collective_folded runs it from each member's actor, with no actor and no flow on the
// platform; the flows are announced to the observers with the times they take.
#pragma once

#include <vector>

#include "sim/engines/event/platform/ring_flows.hpp"

namespace kcsim::event {

// Whether `calls`, collectives of one group (the same members in the same order; their kinds,
// sizes and algorithms may differ) and all that runs, never put the flows of two different
// members on one link direction: the stages taken as flows (not those on private server links),
// over every member. A member's own flows never overlap one another, so they may share links.
// Throws std::invalid_argument for calls of groups of different shapes.
bool rings_never_meet(const std::vector<CollectiveCall>& calls);

// Every member of `call` runs its part, as run_collective_folded would from its own actor:
// member p starts at clock[p] with a delay of pending[p] (>= 0). On return clock[p] is when its
// last flow is done and pending[p] the time of the private stages that follow it. Valid only
// where rings_never_meet holds for everything that runs.
void run_lone_rings(const CollectiveCall& call, std::vector<double>& clock,
                    std::vector<double>& pending);

// How long a flow of `bytes` takes on the route between two devices when it has the route to
// itself: CM02's latency + bytes / rate.
double lone_flow_s(const simgrid::s4u::Host* from, const simgrid::s4u::Host* to, double bytes);

}  // namespace kcsim::event

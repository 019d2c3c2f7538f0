#include "sim/engines/event/platform/lone_rings.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <utility>

#include <xbt/config.hpp>

#include "sim/engines/event/platform/platform.hpp"

namespace kcsim::event {
namespace {

// CM02 bounds a flow's rate by its TCP window over the round trip (network_cm02.cpp).
double tcp_gamma_bytes() { return simgrid::config::get_value<double>("network/TCP-gamma"); }

double lone_flow_s(const TopologyZone::RouteSummary& route, double bytes, double gamma_bytes) {
  double rate = route.bottleneck_bytes_per_s;
  if (route.latency_s > 0) rate = std::min(rate, gamma_bytes / (2.0 * route.latency_s));
  return route.latency_s + bytes / rate;
}

}  // namespace

double lone_flow_s(const simgrid::s4u::Host* from, const simgrid::s4u::Host* to, double bytes) {
  return lone_flow_s(route_summary(from, to), bytes, tcp_gamma_bytes());
}

bool rings_never_meet(const std::vector<CollectiveCall>& calls) {
  if (calls.empty()) return true;
  const CollectiveCall& group = calls.front();
  // What decides a stage's rings in a group (stage_ring): whether the stage spans the whole
  // group, and whether it runs between servers; stages alike in both have the same neighbours.
  // For each such kind, a stage of it.
  std::map<std::pair<bool, bool>, RingStage> rings;
  for (const auto& call : calls) {
    if (call.size != group.size || call.per_node != group.per_node) {
      throw std::invalid_argument("rings_never_meet: calls of groups of different shapes");
    }
    if (call.count <= 0) continue;
    for (const auto& stage : call_stages(call)) {
      if (in_closed_form(call, stage) || stage.bytes <= 0) continue;
      rings.emplace(std::make_pair(stage.members == call.size, stage.inter_node), stage);
    }
  }
  // The sender of every link direction some ring flow uses, by the platform's link index.
  std::vector<const simgrid::s4u::Host*> sender;
  for (const auto& kind : rings) {
    const RingStage& stage = kind.second;
    for (int position = 0; position < group.size; ++position) {
      StageRing ring = stage_ring(stage, group.size, group.per_node, position);
      if (ring.size <= 1) continue;
      const auto* from = group.member(position);
      const auto& route = route_links(from, group.member(ring.next_position));
      for (int id : route.ids) {
        if (static_cast<size_t>(id) >= sender.size()) sender.resize(id + 1, nullptr);
        if (sender[id] && sender[id] != from) return false;
        sender[id] = from;
      }
    }
  }
  return true;
}

void run_lone_rings(const CollectiveCall& call, std::vector<double>& clock,
                    std::vector<double>& pending) {
  const int n = call.size;
  std::vector<int> next(n);
  std::vector<double> posted(n), done(n);
  std::vector<TopologyZone::RouteSummary> route(n);
  const double gamma_bytes = tcp_gamma_bytes();
  for (const auto& stage : call_stages(call)) {
    if (in_closed_form(call, stage)) {
      for (int p = 0; p < n; ++p) {
        StageRing ring = stage_ring(stage, n, call.per_node, p);
        pending[p] += ring_alone_s(stage, call.member(p), call.member(ring.next_position),
                                   call.efficiency, call.count, clock[p] + pending[p]);
      }
      continue;
    }
    if (stage.bytes <= 0 || call.count <= 0) continue;
    // As run_ring: the latency steps but the last, then one flow of the whole volume. A member
    // alone in its ring (next to itself) sends nothing and keeps its delay.
    uint64_t size = ring_flow_bytes(stage.shape, stage.bytes, call.efficiency, call.count);
    for (int p = 0; p < n; ++p) {
      StageRing ring = stage_ring(stage, n, call.per_node, p);
      next[p] = ring.size > 1 ? ring.next_position : p;
      if (next[p] == p) continue;
      route[p] = route_summary(call.member(p), call.member(next[p]));
      double wait = ring_wait_s(stage.shape, call.count, route[p].latency_s, pending[p]);
      posted[p] = wait > 0 ? clock[p] + wait : clock[p];
    }
    // A flow starts once its sender and its receiver have both posted (a mailbox's rendezvous);
    // the receiver is done with it when it ends.
    std::fill(done.begin(), done.end(), 0.0);
    for (int p = 0; p < n; ++p) {
      if (next[p] == p) continue;
      double start = std::max(posted[p], posted[next[p]]);
      double end = start + lone_flow_s(route[p], static_cast<double>(size), gamma_bytes);
      flow_signal().emit(
          {call.member(p), call.member(next[p]), static_cast<double>(size), posted[p], end});
      done[p] = std::max(done[p], end);
      done[next[p]] = std::max(done[next[p]], end);
    }
    for (int p = 0; p < n; ++p) {
      if (next[p] == p) continue;
      clock[p] = done[p];
      pending[p] = 0;
    }
  }
}

}  // namespace kcsim::event

#include "sim/engines/event/platform/ring_flows.hpp"

#include <algorithm>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Link.hpp>
#include <simgrid/s4u/Mailbox.hpp>

#include "sim/engines/event/platform/platform.hpp"

namespace kcsim::event {
namespace sg4 = simgrid::s4u;
namespace {

// Flows carry no data, only their size.
int payload = 0;

void notify(const FlowEvent& flow) { flow_signal().emit(flow); }

sg4::Mailbox* mailbox(const std::string& tag, int index) {
  return sg4::Mailbox::by_name(tag + "#" + std::to_string(index));
}

}  // namespace

double ring_wait_s(RingShape shape, int count, double latency_s, double delay_s) {
  double steps = shape.steps * count;
  return delay_s + (steps > 1 ? (steps - 1) * latency_s : 0.0);
}

uint64_t ring_flow_bytes(RingShape shape, double bytes, double efficiency, int count) {
  return static_cast<uint64_t>(count * shape.volume * bytes / efficiency);
}

void run_ring(const std::string& tag, int n, int index, sg4::Host* self, sg4::Host* next,
              RingShape shape, double bytes, double efficiency, int count, double delay_s) {
  if (n <= 1 || bytes <= 0 || count <= 0) {
    if (delay_s > 0) sg4::this_actor::sleep_for(delay_s);
    return;
  }
  double wait = ring_wait_s(shape, count, route_latency_s(self, next), delay_s);
  if (wait > 0) sg4::this_actor::sleep_for(wait);
  uint64_t size = ring_flow_bytes(shape, bytes, efficiency, count);
  double start = sg4::Engine::get_clock();
  auto out = mailbox(tag, (index + 1) % n)->put_async(&payload, size);
  int* received = nullptr;
  auto in = mailbox(tag, index)->get_async<int>(&received);
  out->wait();
  notify({self, next, static_cast<double>(size), start, sg4::Engine::get_clock()});
  in->wait();
}

double ring_alone_s(const RingStage& stage, sg4::Host* self, sg4::Host* next, double efficiency,
                    int count, double start_s) {
  if (stage.members <= 1 || stage.bytes <= 0 || count <= 0) return 0;
  auto route = route_summary(self, next);
  if (route.bottleneck_bytes_per_s <= 0) return 0;
  LinkTier tier{"", route.bottleneck_bytes_per_s, route.latency_s};
  double time = count * stage_time_s(stage, tier, efficiency);
  double sent = count * stage.shape.volume * stage.bytes / efficiency;
  notify({self, next, sent, start_s, start_s + time});
  return time;
}

std::vector<RingStage> call_stages(const CollectiveCall& call) {
  return collective_stages(call.kind, call.bytes, Group{call.size, call.per_node}, call.algorithm,
                           call.tiers, call.efficiency, call.protocol);
}

bool in_closed_form(const CollectiveCall& call, const RingStage& stage) {
  return call.intra_node_private && !stage.inter_node;
}

double run_collective_folded(const CollectiveCall& call, int position, double delay_s) {
  // Stages on private links take their closed-form time; that time is slept together with the
  // next ring's latency steps, or handed back, one activity instead of several.
  double pending_s = std::max(0.0, delay_s);
  int stage_index = 0;
  for (const auto& stage : call_stages(call)) {
    StageRing ring = stage_ring(stage, call.size, call.per_node, position);
    if (in_closed_form(call, stage)) {
      ++stage_index;
      pending_s += ring_alone_s(stage, call.member(position), call.member(ring.next_position),
                                call.efficiency, call.count, sg4::Engine::get_clock() + pending_s);
      continue;
    }
    std::string tag = call.tag + "/" + std::to_string(stage_index++) + ring.suffix;
    if (ring.size <= 1 || stage.bytes <= 0 || call.count <= 0) continue;
    run_ring(tag, ring.size, ring.index, call.member(position), call.member(ring.next_position),
             stage.shape, stage.bytes, call.efficiency, call.count, pending_s);
    pending_s = 0;
  }
  return pending_s;
}

void run_collective(const CollectiveCall& call, int position) {
  double rest_s = run_collective_folded(call, position, 0);
  if (rest_s > 0) sg4::this_actor::sleep_for(rest_s);
}

std::vector<std::pair<int, int>> ring_neighbours(Collective kind, int size, int per_node) {
  std::vector<std::pair<int, int>> pairs;
  for (const auto& stage : collective_stages(kind, 1.0, Group{size, per_node})) {
    for (int position = 0; position < size; ++position) {
      StageRing ring = stage_ring(stage, size, per_node, position);
      if (ring.size > 1) pairs.emplace_back(position, ring.next_position);
    }
  }
  return pairs;
}

sg4::CommPtr send_bytes(const std::string& tag, double bytes, const sg4::Host* to) {
  double now = sg4::Engine::get_clock();
  notify({sg4::this_actor::get_host(), to, bytes, now, now});
  return sg4::Mailbox::by_name(tag)->put_async(&payload, static_cast<uint64_t>(bytes));
}

void receive_bytes(const std::string& tag) { sg4::Mailbox::by_name(tag)->get<int>(); }

FlowSignal& flow_signal() {
  static FlowSignal signal;
  return signal;
}

}  // namespace kcsim::event

#include "sim/event/ring_flows.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Mailbox.hpp>

#include "sim/event/platform.hpp"

namespace kcsim::event {
namespace sg4 = simgrid::s4u;
namespace {

// Flows carry no data, only their size.
int payload = 0;

sg4::Mailbox* mailbox(const std::string& tag, int index) {
  return sg4::Mailbox::by_name(tag + "#" + std::to_string(index));
}

}  // namespace

void run_ring(const std::string& tag, const std::vector<sg4::Host*>& ring, int index,
              Collective kind, double bytes, double efficiency) {
  int n = static_cast<int>(ring.size());
  if (n <= 1 || bytes <= 0) return;
  RingShape shape = ring_shape(kind, n);
  int next = (index + 1) % n;
  double latency = route_latency_s(ring[index], ring[next]);
  if (shape.steps > 1) sg4::this_actor::sleep_for((shape.steps - 1) * latency);
  auto size = static_cast<uint64_t>(shape.volume * bytes / efficiency);
  auto out = mailbox(tag, next)->put_async(&payload, size);
  int* received = nullptr;
  auto in = mailbox(tag, index)->get_async<int>(&received);
  out->wait();
  in->wait();
}

void run_collective(const CollectiveCall& call, int position) {
  int size = static_cast<int>(call.members.size());
  Group group{size, call.per_node};
  int per_node = std::min(call.per_node, size);
  int node = position / per_node, local = position % per_node;
  int stage_index = 0;
  for (const auto& stage : collective_stages(call.kind, call.bytes, group)) {
    std::vector<sg4::Host*> ring;
    int index = 0;
    std::string tag = call.tag + "/" + std::to_string(stage_index++);
    if (stage.members == size) {
      ring = call.members;
      index = position;
    } else if (stage.inter_node) {
      for (int k = local; k < size; k += per_node) ring.push_back(call.members[k]);
      index = node;
      tag += "/l" + std::to_string(local);
    } else {
      for (int k = node * per_node; k < std::min(size, (node + 1) * per_node); ++k) {
        ring.push_back(call.members[k]);
      }
      index = local;
      tag += "/n" + std::to_string(node);
    }
    run_ring(tag, ring, index, stage.kind, stage.bytes, call.efficiency);
  }
}

void send_bytes(const std::string& tag, double bytes) {
  sg4::Mailbox::by_name(tag)->put(&payload, static_cast<uint64_t>(bytes));
}

void receive_bytes(const std::string& tag) { sg4::Mailbox::by_name(tag)->get<int>(); }

}  // namespace kcsim::event

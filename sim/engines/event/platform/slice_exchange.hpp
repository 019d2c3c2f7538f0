// Pipeline transfers between tensor-parallel groups that one actor each runs (training_stage's
// grouped stages): every rank's slice is a flow of its own, from that rank's device to its peer
// in the next stage, and the flows start when both sides are there, the sender having posted
// them and the receiver asking for them, as a mailbox's rendezvous starts a transfer between
// two actors. One post and one receive carry a whole group's slices.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Semaphore.hpp>

namespace kcsim::event {

class SliceExchange {
 public:
  // (from, to) device of each slice.
  using Routes = std::vector<std::pair<simgrid::s4u::Host*, simgrid::s4u::Host*>>;

  // The sender's side of transfer `key` (the caller's name for it): `bytes` per slice over `routes`; does not wait.
  void post(uint64_t key, Routes routes, double bytes);
  // The receiver's side: returns when every slice of `key` has arrived. `wakeup` is the calling
  // actor's own semaphore (initially 0), released when it waited for the post.
  void receive(uint64_t key, const simgrid::s4u::SemaphorePtr& wakeup);

 private:
  struct Transfer {
    Routes routes;
    double bytes = 0;
    bool posted = false;
    simgrid::s4u::Semaphore* waiting = nullptr;  // the receiver, when it came first
  };
  std::unordered_map<uint64_t, Transfer> transfers_;
};

}  // namespace kcsim::event

// Pipeline transfers between the actors of training's stages (training_stage.hpp), each of
// which runs one device or a whole tensor-parallel group: every device's slice is a flow of its
// own, from that device to its peer in the next stage, and the flows start when both sides are
// there, the sender having posted them and the receiver asking for them, as a mailbox's
// rendezvous starts a transfer between two actors. One post and one receive carry an actor's
// slices; the comms go host to host, so one actor can run them for several devices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
  // A transfer's name, the caller's to choose.
  using Key = std::pair<uint64_t, uint64_t>;

  // The sender's side of transfer `key`: `bytes` per slice over `routes`; does not wait.
  void post(const Key& key, Routes routes, double bytes);
  // The receiver's side: returns when every slice of `key` has arrived. `wakeup` is the calling
  // actor's own semaphore (initially 0), released when it waited for the post.
  void receive(const Key& key, const simgrid::s4u::SemaphorePtr& wakeup);

 private:
  struct Transfer {
    Routes routes;
    double bytes = 0;
    bool posted = false;
    simgrid::s4u::Semaphore* waiting = nullptr;  // the receiver, when it came first
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      return std::hash<uint64_t>()(key.first * 0x9e3779b97f4a7c15ull ^ key.second);
    }
  };
  std::unordered_map<Key, Transfer, KeyHash> transfers_;
};

}  // namespace kcsim::event

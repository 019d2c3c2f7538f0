// What a serving loop does, for observers (link traffic): each iteration a replica runs, and each
// KV cache a prefill replica sends to a decode replica. The serving loop announces them; it knows
// none of the observers.
#pragma once

#include <cstdint>

#include "sim/engines/event/platform/signal.hpp"

namespace kcsim::event {

struct ServingIterationEvent {
  int replica = 0;
  int64_t tokens = 0;  // prompt tokens prefilled plus sequences decoded
};

struct KvTransferEvent {
  int from_replica = 0;
  int to_replica = 0;
  double bytes = 0;  // the whole replica's KV cache of the request
};

// The process's signals (SimGrid runs one engine per process).
Signal<ServingIterationEvent>& serving_iteration_signal();
Signal<KvTransferEvent>& kv_transfer_signal();

}  // namespace kcsim::event

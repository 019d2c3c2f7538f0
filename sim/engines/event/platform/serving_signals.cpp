#include "sim/engines/event/platform/serving_signals.hpp"

namespace kcsim::event {

Signal<ServingIterationEvent>& serving_iteration_signal() {
  static Signal<ServingIterationEvent> signal;
  return signal;
}

Signal<KvTransferEvent>& kv_transfer_signal() {
  static Signal<KvTransferEvent> signal;
  return signal;
}

}  // namespace kcsim::event

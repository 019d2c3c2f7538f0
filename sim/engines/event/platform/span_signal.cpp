#include "sim/engines/event/platform/span_signal.hpp"

namespace kcsim::event {

SpanSignal& span_signal() {
  static SpanSignal signal;
  return signal;
}

}  // namespace kcsim::event

#include "sim/engines/event/span_signal.hpp"

namespace kcsim::event {

SpanSignal& span_signal() {
  static SpanSignal signal;
  return signal;
}

}  // namespace kcsim::event

// What device actors did and when, for observers (energy, power series, traces): the event engine
// announces spans on span_signal(), observers connect to it. The engine knows none of them.
#pragma once

#include "sim/engines/event/platform/signal.hpp"

namespace kcsim::event {

struct SpanEvent {
  int rank = 0;
  const char* track = "";  // "compute", "collectives", "pipeline"
  const char* name = "";   // "forward", "backward", "tp collectives", ...
  double start_s = 0;
  double end_s = 0;
  // The device's draw over the span, W, where the engine prices each span on its own (Chakra
  // replay: each node's op cost); 0: the observer's figure for the track.
  double power_w = 0;
};

using SpanSignal = Signal<SpanEvent>;
// The process's one span signal (SimGrid runs one engine per process).
SpanSignal& span_signal();

}  // namespace kcsim::event

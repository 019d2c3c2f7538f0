// What device actors did and when, for observers (traces): the event engine announces spans,
// observers subscribe. The engine knows none of them.
#pragma once

#include <functional>
#include <string>

namespace kcsim::event {

struct SpanEvent {
  int rank = 0;
  const char* track = "";  // "compute", "collectives", "pipeline"
  const char* name = "";  // "forward", "backward", "tp collectives", ...
  double start_s = 0;
  double end_s = 0;
};

using SpanObserver = std::function<void(const SpanEvent&)>;

void add_span_observer(SpanObserver observer);
void clear_span_observers();
bool has_span_observers();
void announce_span(const SpanEvent& span);

}  // namespace kcsim::event

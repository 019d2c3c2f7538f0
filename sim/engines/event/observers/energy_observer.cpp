#include "sim/engines/event/observers/energy_observer.hpp"

#include <string_view>

namespace kcsim::event {

void EnergyObserver::attach() {
  span_connection_ = span_signal().connect([this](const SpanEvent& span) {
    std::string_view track(span.track);
    if (track == "compute") ledger_.add_interval(span.rank, span.start_s, span.end_s, busy_);
    if (track == "collectives") {
      ledger_.add_interval(span.rank, span.start_s, span.end_s, collective_);
    }
  });
}

}  // namespace kcsim::event

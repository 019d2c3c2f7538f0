#include "sim/event/energy_observer.hpp"

#include <string_view>

namespace kcsim::event {

void EnergyObserver::attach() {
  add_span_observer([this](const SpanEvent& span) {
    if (std::string_view(span.track) != "compute") return;
    ledger_.add_interval(span.rank, span.start_s, span.end_s, busy_);
  });
}

}  // namespace kcsim::event

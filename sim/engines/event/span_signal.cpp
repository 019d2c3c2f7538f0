#include "sim/engines/event/span_signal.hpp"

#include <vector>

namespace kcsim::event {
namespace {

std::vector<SpanObserver>& observers() {
  static std::vector<SpanObserver> list;
  return list;
}

}  // namespace

void add_span_observer(SpanObserver observer) { observers().push_back(std::move(observer)); }

void clear_span_observers() { observers().clear(); }

bool has_span_observers() { return !observers().empty(); }

void announce_span(const SpanEvent& span) {
  for (const auto& observer : observers()) observer(span);
}

}  // namespace kcsim::event

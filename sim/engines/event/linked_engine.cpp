// event_engine() where the engine is linked into the program (tests, benchmarks).
#include "sim/engines/event/event_engine.hpp"

namespace kcsim {

const EventEngine& event_engine() { return *kcsim_event_engine(); }

}  // namespace kcsim

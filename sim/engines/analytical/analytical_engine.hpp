// The analytical engine behind the Engine interface (sim/engines/engine.hpp): training, serving
// and layer workloads in closed form. It does not replay Chakra traces (their dependencies and
// shared links need the event engine), and refuses training runs that ask for stragglers, one
// simulated replica or a trace.
#pragma once

#include "sim/engines/engine.hpp"

namespace kcsim {

const Engine& analytical_engine();

}  // namespace kcsim

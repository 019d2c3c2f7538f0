// A serving loop's raw outcome (ServingLoopOutput) as JSON, to cross the fork the way every
// engine result does (isolated_run.hpp). The records are tables of columns: one array per field,
// one entry per request, replica, iteration or power sample.
#pragma once

#include "analysis/json_writer.hpp"
#include "sim/engines/event/event_engine.hpp"

namespace kcsim::event {

Json to_json(const ServingLoopOutput& output);

// The inverse. Throws nlohmann::json::exception on a missing key or a wrong type, and
// std::runtime_error on columns of different lengths.
ServingLoopOutput serving_loop_from_json(const Json& json);

}  // namespace kcsim::event

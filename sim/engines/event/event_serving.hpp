// The serving loop on the event engine. An arrival actor routes each request to a replica as it
// arrives; each replica is an actor that runs its scheduler and executes each iteration as one
// activity of the priced duration on its first device; an idle replica sleeps until a request
// comes. Disaggregated prefill replicas send each prefilled request's KV cache to a decode
// replica as a SimGrid transfer over the platform's links between the two replicas.
#pragma once

#include <string>

#include "sim/cost/serving_load_options.hpp"
#include "sim/engines/event/event_engine.hpp"

namespace kcsim::event {

// The raw outcome of a run, as text (requests, replicas, iterations), for the parent process
// to read with read_serving_trace. Call inside run_isolated.
std::string run_serving_loop(const ClusterModel& cluster, const ServingSpec& spec,
                             const ServingLoadOptions& options,
                             const serving::RequestStream& requests, int64_t kv_blocks);

// What run_serving_loop wrote, back into a result (ServingLoopOutput, event_engine.hpp).
ServingLoopOutput read_serving_loop(const std::string& text);

}  // namespace kcsim::event

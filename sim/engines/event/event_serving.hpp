// The serving loop on the event engine. An arrival actor routes each request to a replica as it
// arrives; each replica is an actor that runs its scheduler and executes each iteration as one
// activity of the priced duration on its first device; an idle replica sleeps until a request
// comes. Disaggregated prefill replicas send each prefilled request's KV cache to a decode
// replica as a SimGrid transfer over the platform's links between the two replicas.
#pragma once

#include "sim/cost/serving_load_options.hpp"
#include "sim/engines/event/event_engine.hpp"

namespace kcsim::event {

// The raw outcome of a run (requests, replicas, iterations, power and traffic) in this process:
// call it inside run_isolated_json (isolated_run.hpp), with serving_loop_json.hpp. One side
// serves on its cluster (disaggregated or not, as `options` say); two sides serve
// disaggregated, the first side's replicas prefilling and the second's decoding, each priced
// by its own chip, with a KV cache converted on arrival when the sides' KV dtypes differ.
// `network` holds the sides' devices in order.
ServingLoopOutput run_serving_loop(const std::vector<ServingSide>& sides,
                                   const topology::Topology& network,
                                   const ServingLoadOptions& options,
                                   const serving::RequestStream& requests);

}  // namespace kcsim::event

// The event engine's entry points as the table of sim/engines/event/event_engine.hpp, exported as
// the symbol kcsim_event_engine.
#include "sim/engines/event/chakra_replay.hpp"
#include "sim/engines/event/event_engine.hpp"
#include "sim/engines/event/event_layers.hpp"
#include "sim/engines/event/event_serving.hpp"
#include "sim/engines/event/event_training.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/platform.hpp"
#include "sim/engines/event/serving_loop_json.hpp"

namespace kcsim {
namespace {

event::ServingLoopOutput serving_loop(const ClusterModel& cluster, const ServingSpec& spec,
                                      const ServingLoadOptions& options,
                                      const serving::RequestStream& requests, int64_t kv_blocks) {
  event::ServingLoopOutput output = event::serving_loop_from_json(event::run_isolated_json([&] {
    return to_json(event::run_serving_loop(cluster, spec, options, requests, kv_blocks));
  }));
  output.load.network_model = event::kNetworkModel;
  return output;
}

constexpr EventEngine kEngine{simulate_training_event, serving_loop, simulate_layers_event,
                              replay_chakra};

}  // namespace
}  // namespace kcsim

extern "C" const kcsim::EventEngine* kcsim_event_engine() { return &kcsim::kEngine; }

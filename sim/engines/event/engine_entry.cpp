// The event engine as an EventEngine (sim/engines/event/event_engine.hpp), exported as the symbol
// kcsim_event_engine.
#include "configs/loader/errors.hpp"
#include "sim/engines/event/chakra_replay.hpp"
#include "sim/engines/event/event_engine.hpp"
#include "sim/engines/event/event_layers.hpp"
#include "sim/engines/event/event_serving.hpp"
#include "sim/engines/event/event_training.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/serving_loop_json.hpp"

namespace kcsim {
namespace {

class SimGridEngine final : public EventEngine {
 public:
  std::string_view name() const override { return "event"; }

  TrainingResult train(const ClusterModel& cluster, const TrainingSpec& spec,
                       const EventOptions& options) const override {
    return simulate_training_event(cluster, spec, options);
  }

  ServingResult serve(const ClusterModel&, const ServingSpec&) const override {
    throw InputError(
        "the event engine serves request streams (a load: rate_per_s or a trace; kcsim serve "
        "--rate or --trace); one batch per replica is priced by the analytical engine");
  }

  LayerStepResult step_layers(const LayerWorkloadSpec& spec,
                              const ClusterModel& cluster) const override {
    return simulate_layers_event(spec, cluster);
  }

  ReplayResult replay(const std::vector<ChakraTrace>& traces, const ClusterModel& cluster,
                      const std::string& trace_name, const std::string& trace_out) const override {
    return replay_chakra(traces, cluster, trace_name, trace_out);
  }

  event::ServingLoopOutput serving_loop(const std::vector<ServingSide>& sides,
                                        const topology::Topology& network,
                                        const ServingLoadOptions& options,
                                        const serving::RequestStream& requests) const override {
    event::ServingLoopOutput output = event::serving_loop_from_json(event::run_isolated_json(
        [&] { return to_json(event::run_serving_loop(sides, network, options, requests)); }));
    output.load.network_model = event::kNetworkModel;
    return output;
  }
};

const SimGridEngine kEngine;

}  // namespace
}  // namespace kcsim

extern "C" const kcsim::EventEngine* kcsim_event_engine() { return &kcsim::kEngine; }

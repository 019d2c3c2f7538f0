#include "sim/engines/analytical/analytical_engine.hpp"

#include "configs/loader/errors.hpp"
#include "sim/engines/analytical/analytical_layers.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/engines/analytical/analytical_training.hpp"

namespace kcsim {
namespace {

class AnalyticalEngine final : public Engine {
 public:
  std::string_view name() const override { return "analytical"; }

  TrainingResult train(const ClusterModel& cluster, const TrainingSpec& spec,
                       const EventOptions& options) const override {
    if (options.any()) {
      throw InputError(
          "stragglers, a reduced-symmetry run, an actor per device and a trace need the event "
          "engine (--engine event)");
    }
    return simulate_training_analytical(cluster, spec);
  }

  ServingResult serve(const ClusterModel& cluster, const ServingSpec& spec) const override {
    return simulate_serving_analytical(cluster, spec);
  }

  LayerStepResult step_layers(const LayerWorkloadSpec& spec,
                              const ClusterModel& cluster) const override {
    return simulate_layers_analytical(spec, cluster);
  }

  ReplayResult replay(const std::vector<ChakraTrace>&, const ClusterModel&, const std::string&,
                      const std::string&) const override {
    throw InputError("a Chakra trace replays on the event engine, not the analytical one");
  }
};

}  // namespace

const Engine& analytical_engine() {
  static const AnalyticalEngine kEngine;
  return kEngine;
}

}  // namespace kcsim

#include "sim/jobs/layer_workload.hpp"

#include "sim/engines/analytical/analytical_layers.hpp"
#include "sim/engines/event/event_engine.hpp"

namespace kcsim {

LayerStepResult run_layer_workload(const config::LayerWorkload& job, const ClusterModel& cluster,
                                   const std::string& engine, const JobOrigin& origin) {
  LayerWorkloadSpec spec = layer_workload_spec(job, cluster, origin);
  if (engine == "event") return event_engine().simulate_layers(spec, cluster);
  return simulate_layers_analytical(spec, cluster);
}

}  // namespace kcsim

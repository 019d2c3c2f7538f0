#include "sim/jobs/layer_workload.hpp"

namespace kcsim {

LayerStepResult run_layer_workload(const config::LayerWorkload& job, const ClusterModel& cluster,
                                   const Engine& engine, const JobOrigin& origin) {
  return engine.step_layers(layer_workload_spec(job, cluster, origin), cluster);
}

}  // namespace kcsim

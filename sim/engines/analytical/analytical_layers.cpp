#include "sim/engines/analytical/analytical_layers.hpp"

#include <algorithm>

namespace kcsim {

LayerStepResult simulate_layers_analytical(const LayerWorkloadSpec& spec,
                                           const ClusterModel& cluster) {
  LayerStepResult r = layer_step_totals(spec, cluster);
  r.engine = "analytical";
  double clock = 0;
  for (const auto& layer : spec.layers) clock += layer.forward_s;
  double stream_free = 0;  // when the communication stream has finished what it was given
  for (auto it = spec.layers.rbegin(); it != spec.layers.rend(); ++it) {
    clock += it->backward_s;
    double reduce = layer_all_reduce_s(spec, cluster, it->gradient_bytes);
    if (reduce > 0) stream_free = std::max(clock, stream_free) + reduce;
  }
  r.step_time_s = std::max(clock, stream_free);
  r.exposed_comm_s = r.step_time_s - r.compute_s;
  return r;
}

}  // namespace kcsim

// A data-parallel training step given layer by layer, as ASTRA-sim's text workloads give one:
// each layer's forward and backward time and the gradient all-reduce after its backward. The
// all-reduces run in order on a stream of their own, each once its layer's backward is done and
// the one before it has finished; the step ends when the last of them does.
#pragma once

#include <string>
#include <vector>

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/collectives.hpp"
#include "sim/cost/job_origin.hpp"
#include "workload.pb.h"

namespace kcsim {

struct LayerPhase {
  std::string name;
  double forward_s = 0;
  double backward_s = 0;
  double gradient_bytes = 0;  // all-reduced after the backward; 0: nothing to reduce
};

struct LayerWorkloadSpec {
  std::vector<LayerPhase> layers;  // forward order, repeats expanded
  int devices = 0;
  int per_node = 1;  // devices in each server
  Algorithm algorithm = Algorithm::ring();
  Group group() const { return Group{devices, per_node}; }
};

// Checks `job` against `cluster`: times and sizes non-negative, at least one layer, devices
// within the cluster and a whole number of servers. Errors name the field.
LayerWorkloadSpec layer_workload_spec(const config::LayerWorkload& job, const ClusterModel& cluster,
                                      const JobOrigin& origin);

// The all-reduce of `bytes` over the spec's devices in closed form (alpha-beta on the tiers).
double layer_all_reduce_s(const LayerWorkloadSpec& spec, const ClusterModel& cluster, double bytes);

// What does not depend on the engine: the devices, the layers, the algorithm, every layer's
// compute and every all-reduce's closed-form time summed. Each engine adds its step.
LayerStepResult layer_step_totals(const LayerWorkloadSpec& spec, const ClusterModel& cluster);

}  // namespace kcsim

// A layer workload (layer_workload_spec.hpp) as a job: checked against its cluster and run on
// the engine it names.
#pragma once

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/job_origin.hpp"
#include "sim/cost/layer_workload_spec.hpp"
#include "sim/engines/engine.hpp"
#include "workload.pb.h"

namespace kcsim {

LayerStepResult run_layer_workload(const config::LayerWorkload& job, const ClusterModel& cluster,
                                   const Engine& engine, const JobOrigin& origin = {});

}  // namespace kcsim

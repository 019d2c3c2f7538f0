// A training job with every default resolved, checked against the cluster it runs on.
#pragma once

#include <cstdint>

#include "configs/loader/dtype.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/collectives.hpp"
#include "sim/cost/runtime_spec.hpp"
#include "workload.pb.h"
#include "workloads/model_shape.hpp"
#include "workloads/training_memory.hpp"

namespace kcsim {

struct TrainingSpec {
  ModelShape model;
  TrainingSetup setup;  // tp, pp, dp, ep, micro-batching, recompute, ZeRO, byte sizes
  int64_t global_batch = 0;
  Dtype dtype = config::BF16;
  bool flash_attention = true;
  double grad_bucket_bytes = 25e6;  // 0: gradient reduction after backward, not overlapped
  RuntimeSpec runtime;              // the stack that issues the kernels
  Algorithm algorithm;              // all-reduce between servers (auto unless named)
  double device_power_cap_w = 0;    // 0: the chip's TDP
  double clock_mhz = 0;             // a locked application clock; 0: none
  bool whole_servers = false;       // energy: charge every server touched in full

  // tp x pp x dp, counted wide so that a plan larger than any cluster cannot wrap around.
  int64_t plan_devices() const { return int64_t{setup.tp} * setup.pp * setup.dp; }
  // make_training_spec guarantees the plan's device count fits an int.
  int devices() const { return static_cast<int>(plan_devices()); }
};

const char* recompute_name(RecomputeMode mode);

// Resolves the job's defaults (dp from the device count, micro-batches from the batch).
// Throws InputError for values that are not meaningful (a zero batch, an unknown ZeRO stage).
TrainingSpec make_training_spec(const config::TrainingJob& job, const ModelShape& model,
                                int cluster_devices);

// Throws InfeasibleError when the plan cannot run: tp not dividing the heads, layers not
// dividing into stages, a batch that does not split into micro-batches, more devices than the
// cluster has, a dtype the chip lacks, a chip that does not train. Each message says what would
// work.
void check_training_plan(const TrainingSpec& spec, const ClusterModel& cluster);

}  // namespace kcsim

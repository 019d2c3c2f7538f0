// A serving job with every default resolved, checked against the cluster it runs on.
#pragma once

#include <cstdint>

#include "configs/loader/dtype.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/runtime_spec.hpp"
#include "workload.pb.h"
#include "workloads/model_shape.hpp"

namespace kcsim {

struct ServingSpec {
  ModelShape model;
  Dtype dtype = config::BF16;
  Dtype kv_dtype = config::BF16;
  int tp = 1;
  int pp = 1;  // pipeline stages per replica: a replica is tp x pp devices
  int replicas = 1;
  int batch_size = 1;
  int64_t prompt_tokens = 512;
  int64_t output_tokens = 128;
  bool flash_attention = true;
  double memory_utilization = 0.9;
  RuntimeSpec runtime;            // the stack: fixed costs, kernels, scheduler limits
  double device_power_cap_w = 0;  // 0: the chip's TDP
  double clock_mhz = 0;           // a locked application clock; 0: none
  bool whole_servers = false;     // energy: charge every server touched in full
  DvfsPoint state;                // the DVFS state an iteration is priced at
};

// Bytes one device of stage `stage` of a tp x pp replica holds for weights: its layers/pp
// layers' tp shard, with the embedding (and learned positions) on the first stage and the final
// norm and LM head on the last (a tied head keeps its own copy of the table there, as Megatron
// does). With pp 1 the one stage holds everything.
double serving_stage_weight_bytes_per_device(const ModelShape& model, Dtype dtype, int tp, int pp,
                                             int stage);
// The heaviest stage's weights per device (every device's when pp is 1).
double serving_weight_bytes_per_device(const ModelShape& model, Dtype dtype, int tp, int pp = 1);
// Bytes one device holds for one token of KV cache: its stage's layers, its tp share of the KV
// heads (replicated when tp exceeds them).
double serving_kv_bytes_per_token_per_device(const ModelShape& model, Dtype kv_dtype, int tp,
                                             int pp = 1);
// Activations, runtime and library workspace per device (an estimate: 1 GiB, as serving
// engines reserve for CUDA graphs, NCCL buffers and the largest prefill's activations).
double serving_workspace_bytes();

// Resolves defaults (the runtime as the job's block gives it, no profile: serving_job_spec in
// sim/jobs/jobs.hpp resolves the profile): tp, when the job leaves it out, is the smallest divisor
// of the heads whose replica holds the weights and the batch's KV cache; replicas fill the cluster.
ServingSpec make_serving_spec(const config::ServingJob& job, const ModelShape& model,
                              const ClusterModel& cluster);

// Throws InfeasibleError when the replica cannot run: tp not dividing the heads, pp not dividing
// the layers (saying which pp would), a dtype the chip lacks, weights and KV cache beyond the
// memory of the heaviest stage (saying which tp would fit), more devices than the cluster has.
void check_serving_plan(const ServingSpec& spec, const ClusterModel& cluster);

}  // namespace kcsim

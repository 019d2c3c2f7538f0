// Memory one device needs to train a model under a parallel plan.
#pragma once

#include <cstdint>
#include <string>

#include "workloads/model_shape.hpp"

namespace kcsim {

enum class RecomputeMode { None, Selective, Full };

struct TrainingSetup {
  int tp = 1, pp = 1, dp = 1, ep = 1;
  int virtual_stages = 1;  // interleaved schedule chunks per device
  int64_t micro_batch = 1;
  int64_t seq_len = 2048;
  int64_t micro_batches = 1;  // per iteration per pipeline (global_batch / (dp * micro_batch))
  bool sequence_parallel = false;
  int zero_stage = 1;           // 0: none, 1: optimizer, 2: + gradients, 3: + weights sharded over dp
  RecomputeMode recompute = RecomputeMode::Selective;
  double weight_bytes = 2;      // bf16/fp16 weights
  double grad_bytes = 4;        // fp32 gradient accumulation (Megatron's default)
  double optimizer_bytes = 12;  // fp32 master weights + Adam m and v, per parameter
  double act_bytes = 2;
  // Fused attention keeps no a*s*s score tensors, as if selective recompute were on. The same
  // default as the job's (workload.proto) and the specs'.
  bool flash_attention = true;
};

struct TrainingMemory {
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;
  double activations_bytes = 0;
  double workspace_bytes = 0;  // communication buffers, allocator slack, library workspace
  double total_bytes() const {
    return weights_bytes + gradients_bytes + optimizer_bytes + activations_bytes + workspace_bytes;
  }
};

// The device holding the most: the first pipeline stage (embedding plus the most in-flight
// micro-batches). Activations follow Korthikanti et al. 2022: per layer s*b*h*(34 + 5*a*s/h)
// bytes without parallelism, divided by tp for the TP-split parts (all of it with sequence
// parallelism), 34*s*b*h/t with selective recompute, 2*s*b*h (the layer input) with full.
// 1F1B keeps pp micro-batches in flight on the first stage; interleaving adds (pp-1)/(pp*v).
TrainingMemory training_memory_per_device(const ModelShape& m, const TrainingSetup& s);

// Activation bytes one layer keeps for one micro-batch on one device (the Korthikanti term,
// recompute and sequence parallelism applied, scaled by act_bytes / 2).
double activation_bytes_per_layer(const ModelShape& m, const TrainingSetup& s);

// Parameters one device of the first pipeline stage holds before any ZeRO sharding (its layers'
// share under tp and ep, plus the embedding; all non-layer parameters when pp == 1).
double parameters_per_device(const ModelShape& m, const TrainingSetup& s);

// "weights 12.3 GiB, gradients ..., total ..." for messages.
std::string describe(const TrainingMemory& memory);

}  // namespace kcsim

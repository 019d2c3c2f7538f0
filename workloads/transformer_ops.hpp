// A transformer pass as a list of ops, each with its FLOPs and the bytes it moves to and from
// device memory, on one device of a tensor-parallel group.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw-models/op.hpp"
#include "workloads/model_shape.hpp"

namespace kcsim {

// One forward pass over a layer (or the model head) for a micro-batch.
struct PassShape {
  int64_t sequences = 1;    // sequences in the micro-batch (or decode batch)
  int64_t new_tokens = 1;   // tokens per sequence computed now: seq_len in training/prefill, 1 in decode
  int64_t context = 1;      // tokens each new token attends to (itself included; causal mean
                            // is used for a full sequence: see attention ops)
  int64_t tp = 1;           // tensor-parallel degree: heads, ffn and vocab are split by it
  bool sequence_parallel = false;  // norms and dropout split by tp too
  double act_bytes = 2;     // bytes per activation element
  double weight_bytes = 2;  // bytes per weight element
  double kv_bytes = 2;      // bytes per KV-cache element
  bool flash_attention = true;  // fused attention: no s x s score matrix in memory
  bool causal = true;
  // Dropout on the attention probabilities (training without fused attention, as Megatron-LM
  // runs GPT): the probabilities are read, written again, and a one-byte mask is written.
  bool attention_dropout = false;
  // With 8-bit weights and 16-bit activations, each GEMM's input is quantised to 8 bits first, in
  // a pass fused into the kernel before it (read two bytes, write one per element).
  bool quantize_activations = false;
};

// The ops of one layer's forward pass on one device of the TP group. MoE layers route
// tokens * top_k / experts tokens to each expert (experts split over tp as whole experts when
// tp divides experts, else each expert's ffn split by tp).
std::vector<Op> layer_forward_ops(const ModelShape& m, const PassShape& p);
// Embedding lookup (and learned positions) at the start of the model.
std::vector<Op> embedding_forward_ops(const ModelShape& m, const PassShape& p);
// Final norm, LM head (vocab split by tp) and, when `with_loss`, the cross-entropy.
std::vector<Op> head_forward_ops(const ModelShape& m, const PassShape& p, bool with_loss);

// Sums of a list.
double total_flops(const std::vector<Op>& ops);
double total_bytes(const std::vector<Op>& ops);

}  // namespace kcsim

#include "workloads/training_memory.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace kcsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
// CUDA context, cuBLAS/NCCL workspaces and communication buffers, allocator fragmentation:
// measured Megatron runs sit about 1 GiB above the sum of the model's own tensors.
constexpr double kBaseWorkspace = 1.0 * kGiB;

// Parameters one device of the first stage holds, before ZeRO: `dense` shards over dp,
// `expert` (MoE expert MLPs, split over tp and ep) over the expert data-parallel group dp/ep.
struct StageParams {
  double dense = 0;
  double expert = 0;
  double layer = 0;  // one layer on this device, for the ZeRO-3 gather buffer
};

// With a pipeline the first stage holds the embedding (and learned positions) only.
double first_stage_ends(const ModelShape& m, const TrainingSetup& s) {
  if (s.pp == 1) return non_layer_parameters(m);
  double positions = m.learned_positions ? static_cast<double>(m.max_seq_len) : 0.0;
  return (static_cast<double>(m.vocab) + positions) * m.hidden;
}

StageParams stage_params(const ModelShape& m, const TrainingSetup& s) {
  double tp = static_cast<double>(s.tp);
  double experts = m.is_moe() ? m.experts * mlp_parameters(m) : 0.0;
  double dense_layer = (layer_parameters(m) - experts) / tp;
  double expert_layer = experts / (tp * s.ep);
  double layers = static_cast<double>(m.layers) / s.pp;
  return StageParams{layers * dense_layer + first_stage_ends(m, s) / tp, layers * expert_layer,
                     dense_layer + expert_layer};
}

// Bytes of per-parameter state `bytes`, sharded over dp when `sharded`.
double state_bytes(const StageParams& p, const TrainingSetup& s, double bytes, bool sharded) {
  double dp = sharded ? static_cast<double>(s.dp) : 1.0;
  double expert_dp = sharded ? std::max(1.0, static_cast<double>(s.dp) / s.ep) : 1.0;
  return bytes * (p.dense / dp + p.expert / expert_dp);
}

// Korthikanti's 34*s*b*h split into its parts, generalised to GQA, any ffn and SwiGLU/MoE
// (it reduces to 10 + 24 for GPT shapes). 16-bit bytes per token.
struct LayerTerms {
  double replicated;  // 2 norm inputs (4h), attention and MLP inputs (4h), 2 dropout masks (2h)
  double split;       // Q, K, V, projection input; MLP intermediates: divided by tp
};

LayerTerms layer_terms(const ModelShape& m) {
  double h = static_cast<double>(m.hidden);
  double attention = 4.0 * m.q_dim() + 4.0 * m.kv_dim();
  // GELU keeps its input and the down projection's input; SwiGLU also the gate.
  double mlp = (m.gated_mlp ? 6.0 : 4.0) * m.ffn_hidden * (m.is_moe() ? m.experts_top_k : 1);
  return LayerTerms{10.0 * h, attention + mlp};
}

double in_flight_layers(const ModelShape& m, const TrainingSetup& s) {
  double in_flight = static_cast<double>(std::clamp<int64_t>(s.micro_batches, 1, s.pp));
  double interleave = s.virtual_stages > 1
                          ? 1.0 + static_cast<double>(s.pp - 1) / (s.pp * s.virtual_stages)
                          : 1.0;
  return static_cast<double>(m.layers) / s.pp * in_flight * interleave;
}

// Embedding output and its dropout mask (4sbh), per in-flight micro-batch; with no pipeline
// the device is also the last stage and keeps the fp32 logits for the loss.
double end_activations(const ModelShape& m, const TrainingSetup& s) {
  double sb = static_cast<double>(s.seq_len) * s.micro_batch;
  double tp = static_cast<double>(s.tp);
  double in_flight = static_cast<double>(std::clamp<int64_t>(s.micro_batches, 1, s.pp));
  double embed = 4.0 * sb * m.hidden * s.act_bytes / 2.0 / (s.sequence_parallel ? tp : 1.0);
  double logits = s.pp == 1 ? 4.0 * sb * m.vocab / tp : 0.0;
  return embed * in_flight + logits;
}

}  // namespace

double activation_bytes_per_layer(const ModelShape& m, const TrainingSetup& s) {
  double sb = static_cast<double>(s.seq_len) * s.micro_batch;
  double tp = static_cast<double>(s.tp);
  double scale = s.act_bytes / 2.0;
  if (s.recompute == RecomputeMode::Full) {
    return 2.0 * sb * m.hidden * scale / (s.sequence_parallel ? tp : 1.0);
  }
  LayerTerms t = layer_terms(m);
  // 5*a*s*s*b: scores and softmax output (2 bytes each) and the dropout mask (1 byte).
  bool keep_scores = s.recompute == RecomputeMode::None && !s.flash_attention;
  double scores = keep_scores ? 5.0 * m.heads * s.seq_len * sb : 0.0;
  double split = (sb * t.split + scores) / tp;
  double replicated = sb * t.replicated / (s.sequence_parallel ? tp : 1.0);
  return (replicated + split) * scale;
}

double parameters_per_device(const ModelShape& m, const TrainingSetup& s) {
  StageParams p = stage_params(m, s);
  return p.dense + p.expert;
}

TrainingMemory training_memory_per_device(const ModelShape& m, const TrainingSetup& s) {
  StageParams p = stage_params(m, s);
  TrainingMemory mem;
  mem.weights_bytes = state_bytes(p, s, s.weight_bytes, s.zero_stage >= 3);
  mem.gradients_bytes = state_bytes(p, s, s.grad_bytes, s.zero_stage >= 2);
  mem.optimizer_bytes = state_bytes(p, s, s.optimizer_bytes, s.zero_stage >= 1);
  mem.activations_bytes =
      in_flight_layers(m, s) * activation_bytes_per_layer(m, s) + end_activations(m, s);
  // ZeRO-3 gathers each layer's full weights: the current one and the prefetched next one.
  double gather = s.zero_stage >= 3 ? 2.0 * p.layer * s.weight_bytes : 0.0;
  mem.workspace_bytes = kBaseWorkspace + gather;
  return mem;
}

std::string describe(const TrainingMemory& memory) {
  return fmt::format(
      "weights {:.1f} GiB, gradients {:.1f} GiB, optimizer {:.1f} GiB, activations {:.1f} GiB, "
      "workspace {:.1f} GiB, total {:.1f} GiB",
      memory.weights_bytes / kGiB, memory.gradients_bytes / kGiB, memory.optimizer_bytes / kGiB,
      memory.activations_bytes / kGiB, memory.workspace_bytes / kGiB, memory.total_bytes() / kGiB);
}

}  // namespace kcsim

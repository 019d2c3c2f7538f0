// A transformer's shape with every default resolved, and the counts that follow from it.
#pragma once

#include <cstdint>
#include <string>

#include "model.pb.h"

namespace kcsim {

struct ModelShape {
  std::string name;
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;    // == heads without grouped-query attention
  int64_t head_dim = 0;    // hidden / heads unless the model says otherwise
  int64_t ffn_hidden = 0;  // per expert
  int64_t vocab = 0;
  bool gated_mlp = false;  // SwiGLU: three matrices per MLP instead of two
  bool rms_norm = false;
  bool learned_positions = true;
  int64_t max_seq_len = 2048;
  bool tied_embeddings = false;
  bool biases = true;
  int64_t experts = 1;
  int64_t experts_top_k = 1;

  // Resolves defaults; throws InputError ("model NAME: field: what") for a shape that cannot
  // exist (non-positive sizes, kv_heads not dividing heads, top_k > experts).
  static ModelShape from_config(const config::Model& model);

  bool is_moe() const { return experts > 1; }
  int64_t q_dim() const { return heads * head_dim; }
  int64_t kv_dim() const { return kv_heads * head_dim; }
};

// Parameters of one MLP (one expert of an MoE layer), biases included.
double mlp_parameters(const ModelShape& m);
// Parameters of one transformer layer (attention, MLP or all experts and the router, norms).
double layer_parameters(const ModelShape& m);
// Parameters a token actually uses in one layer (MoE: top_k experts, not all).
double layer_active_parameters(const ModelShape& m);
// Embedding table(s), learned positions, final norm and the LM head (once if tied).
double non_layer_parameters(const ModelShape& m);
// Everything: layers * layer_parameters + non_layer_parameters.
double parameter_count(const ModelShape& m);
// What a token uses: layers * layer_active_parameters + non_layer_parameters.
double active_parameter_count(const ModelShape& m);

// KV-cache bytes one token occupies across all layers (K and V, kv_heads * head_dim each).
double kv_bytes_per_token(const ModelShape& m, double bytes_per_element);

}  // namespace kcsim

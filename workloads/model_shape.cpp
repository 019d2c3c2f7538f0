#include "workloads/model_shape.hpp"

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {
namespace {

[[noreturn]] void fail(const std::string& model, const char* field, const std::string& what) {
  throw InputError(fmt::format("model {}: {}: {}", model, field, what));
}

int64_t positive(const std::string& model, const char* field, bool has, int64_t value) {
  if (!has) fail(model, field, "is required");
  if (value <= 0) fail(model, field, fmt::format("must be positive (got {})", value));
  return value;
}

int64_t positive_or(const std::string& model, const char* field, bool has, int64_t value,
                    int64_t fallback) {
  return has ? positive(model, field, true, value) : fallback;
}

int64_t default_head_dim(const ModelShape& s) {
  if (s.hidden % s.heads != 0) {
    fail(s.name, "head_dim",
         fmt::format("not set and hidden {} is not divisible by heads {}", s.hidden, s.heads));
  }
  return s.hidden / s.heads;
}

void check_grouping(const ModelShape& s) {
  if (s.heads % s.kv_heads != 0) {
    fail(s.name, "kv_heads",
         fmt::format("{} does not divide the {} attention heads", s.kv_heads, s.heads));
  }
  if (s.experts_top_k > s.experts) {
    fail(s.name, "experts_top_k",
         fmt::format("{} is more than the {} experts", s.experts_top_k, s.experts));
  }
}

double norm_parameters(const ModelShape& m) { return m.rms_norm ? m.hidden : 2.0 * m.hidden; }

double attention_parameters(const ModelShape& m) {
  double h = static_cast<double>(m.hidden);
  double qkv = static_cast<double>(m.q_dim() + 2 * m.kv_dim());
  double weights = h * qkv + static_cast<double>(m.q_dim()) * h;
  return weights + (m.biases ? qkv + h : 0.0);
}

double router_parameters(const ModelShape& m) {
  return m.is_moe() ? static_cast<double>(m.hidden) * m.experts : 0.0;
}

}  // namespace

double mlp_parameters(const ModelShape& m) {
  double h = static_cast<double>(m.hidden);
  double f = static_cast<double>(m.ffn_hidden);
  if (m.gated_mlp) return 3.0 * h * f + (m.biases ? 2.0 * f + h : 0.0);
  return 2.0 * h * f + (m.biases ? f + h : 0.0);
}

ModelShape ModelShape::from_config(const config::Model& model) {
  ModelShape s;
  s.name = model.has_name() && !model.name().empty() ? model.name() : "(unnamed)";
  const std::string& n = s.name;
  s.layers = positive(n, "layers", model.has_layers(), model.layers());
  s.hidden = positive(n, "hidden", model.has_hidden(), model.hidden());
  s.heads = positive(n, "heads", model.has_heads(), model.heads());
  s.vocab = positive(n, "vocab", model.has_vocab(), model.vocab());
  s.kv_heads = positive_or(n, "kv_heads", model.has_kv_heads(), model.kv_heads(), s.heads);
  s.head_dim = model.has_head_dim() ? positive(n, "head_dim", true, model.head_dim())
                                    : default_head_dim(s);
  s.ffn_hidden =
      positive_or(n, "ffn_hidden", model.has_ffn_hidden(), model.ffn_hidden(), 4 * s.hidden);
  s.max_seq_len = positive(n, "max_seq_len", true, model.max_seq_len());
  s.experts = positive(n, "experts", true, model.experts());
  s.experts_top_k = positive(n, "experts_top_k", true, model.experts_top_k());
  // UNSPECIFIED means the proto default: GELU, LayerNorm, learned positions.
  s.gated_mlp = model.mlp() == config::SWIGLU;
  s.rms_norm = model.norm() == config::RMSNORM;
  s.learned_positions = model.position() != config::ROTARY;
  s.tied_embeddings = model.tied_embeddings();
  s.biases = model.attention_bias();
  check_grouping(s);
  return s;
}

double layer_parameters(const ModelShape& m) {
  return attention_parameters(m) + m.experts * mlp_parameters(m) + router_parameters(m) +
         2.0 * norm_parameters(m);
}

double layer_active_parameters(const ModelShape& m) {
  return attention_parameters(m) + m.experts_top_k * mlp_parameters(m) + router_parameters(m) +
         2.0 * norm_parameters(m);
}

double non_layer_parameters(const ModelShape& m) {
  double table = static_cast<double>(m.vocab) * m.hidden;
  double positions = m.learned_positions ? static_cast<double>(m.max_seq_len) * m.hidden : 0.0;
  double head = m.tied_embeddings ? 0.0 : table;
  return table + positions + head + norm_parameters(m);
}

double parameter_count(const ModelShape& m) {
  return m.layers * layer_parameters(m) + non_layer_parameters(m);
}

double active_parameter_count(const ModelShape& m) {
  return m.layers * layer_active_parameters(m) + non_layer_parameters(m);
}

double kv_bytes_per_token(const ModelShape& m, double bytes_per_element) {
  return 2.0 * m.layers * m.kv_heads * m.head_dim * bytes_per_element;
}

}  // namespace kcsim

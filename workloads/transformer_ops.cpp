#include "workloads/transformer_ops.hpp"

#include <algorithm>
#include <cmath>

namespace kcsim {
namespace {

// Rough FLOPs per element of the element-wise ops; they are memory bound, so these only need
// to be the right order of magnitude.
constexpr double kNormFlops = 5;      // mean, variance, normalise, scale, shift
constexpr double kSoftmaxFlops = 5;   // max, subtract, exp, sum, divide
constexpr double kRotaryFlops = 3;    // x * cos + rotate(x) * sin
constexpr double kGeluFlops = 8;      // tanh approximation
constexpr double kSwigluFlops = 5;    // silu(gate) * up
constexpr double kResidualFlops = 2;  // dropout scale + add
constexpr double kLossFlops = 5;      // log-softmax and pick

// What one device of the TP group sees.
struct Dims {
  double tokens;           // T = sequences * new_tokens
  double row_tokens;       // tokens of the replicated (norm, residual) ops: T / tp with SP
  double heads;            // query heads per device
  double kv_heads;         // KV heads per device: replicated when tp > kv_heads
  double causal_fraction;  // share of the new_tokens x context scores that are computed
  bool cached_kv;          // K and V of the context come from the KV cache
};

double causal_fraction(const PassShape& p) {
  if (!p.causal || p.new_tokens <= 1) return 1.0;
  // The new tokens are the last of the context: the triangle over them is half filled.
  double n = static_cast<double>(p.new_tokens), c = static_cast<double>(p.context);
  return 1.0 - n / (2.0 * c);
}

Dims dims(const ModelShape& m, const PassShape& p) {
  double tp = static_cast<double>(p.tp);
  double tokens = static_cast<double>(p.sequences) * p.new_tokens;
  return Dims{tokens,
              p.sequence_parallel ? tokens / tp : tokens,
              m.heads / tp,
              std::max(m.kv_heads / tp, 1.0),
              causal_fraction(p),
              p.new_tokens < p.context};
}

void add(std::vector<Op>& ops, Op op) {
  if (op.flops != 0 || op.bytes != 0) ops.push_back(std::move(op));
}

Op vector_op(std::string name, double flops, double bytes) {
  Op op;
  op.name = std::move(name);
  op.kind = OpKind::Vector;
  op.flops = flops;
  op.bytes = bytes;
  return op;
}

// Weights (`weight_elements` of them) times activations: reads weights and input, writes output.
Op gemm(std::string name, double m, double n, double k, double weight_elements,
        const PassShape& p) {
  Op op;
  op.name = std::move(name);
  op.kind = OpKind::Gemm;
  op.m = m;
  op.n = n;
  op.k = k;
  op.flops = 2.0 * m * n * k;
  op.bytes = weight_elements * p.weight_bytes + (m * k + m * n) * p.act_bytes;
  return op;
}

Op dense_gemm(std::string name, double m, double n, double k, const PassShape& p) {
  return gemm(std::move(name), m, n, k, n * k, p);
}

Op attn_gemm(std::string name, double batch, double m, double n, double k, double fraction) {
  Op op;
  op.name = std::move(name);
  op.kind = OpKind::AttnGemm;
  op.batch = batch;
  op.m = m;
  op.n = n;
  op.k = k;
  op.flops = 2.0 * batch * m * n * k * fraction;
  return op;
}

Op norm_op(std::string name, const ModelShape& m, const Dims& d, const PassShape& p) {
  double elements = d.row_tokens * m.hidden;
  return vector_op(std::move(name), kNormFlops * elements, 2.0 * elements * p.act_bytes);
}

// Dropout and the residual add: reads the branch output and the residual, writes the sum.
Op residual_op(std::string name, const ModelShape& m, const Dims& d, const PassShape& p) {
  double elements = d.row_tokens * m.hidden;
  return vector_op(std::move(name), kResidualFlops * elements, 3.0 * elements * p.act_bytes);
}

void attention_core_ops(const ModelShape& m, const PassShape& p, const Dims& d,
                        std::vector<Op>& ops) {
  double seqs = static_cast<double>(p.sequences), hd = static_cast<double>(m.head_dim);
  double batch = seqs * d.heads;
  double news = static_cast<double>(p.new_tokens), ctx = static_cast<double>(p.context);
  double q_or_out = batch * news * hd * p.act_bytes;
  // K or V of the context from activations; in decode they come from the cache (kv_read).
  double k_or_v = d.cached_kv ? 0.0 : seqs * d.kv_heads * ctx * hd * p.act_bytes;
  // Without fused attention the score matrix is materialised (masked, in full) in memory.
  double scores = p.flash_attention ? 0.0 : batch * news * ctx * p.act_bytes;

  if (d.cached_kv) {
    add(ops, vector_op("kv_read", 0, seqs * ctx * 2.0 * d.kv_heads * hd * p.kv_bytes));
  }
  // Fused attention is one kernel: the cache read (decode), scores, softmax and context. Fused
  // kernels take the query heads that share a KV head together (grouped-query attention), so a
  // decode step's tile has heads / kv_heads rows, not one; unfused attention repeats K and V
  // per query head.
  bool fused = p.flash_attention;
  double group = fused && d.kv_heads > 0 ? std::max(1.0, d.heads / d.kv_heads) : 1.0;
  double tiles = batch / group, rows = news * group;
  Op score = attn_gemm("attn_score", tiles, rows, ctx, hd, d.causal_fraction);
  score.bytes = q_or_out + k_or_v + scores;
  score.fused = fused && d.cached_kv;
  add(ops, score);
  Op softmax = vector_op("attn_softmax", kSoftmaxFlops * batch * news * ctx * d.causal_fraction,
                         2.0 * scores);
  softmax.fused = fused;
  add(ops, softmax);
  if (p.attention_dropout && !p.flash_attention) {
    double elements = batch * news * ctx;
    add(ops, vector_op("attn_dropout", elements, 2.0 * scores + elements));
  }
  Op context = attn_gemm("attn_context", tiles, rows, hd, ctx, d.causal_fraction);
  context.bytes = scores + k_or_v + q_or_out;
  context.fused = fused;
  add(ops, context);
}

void attention_ops(const ModelShape& m, const PassShape& p, const Dims& d, std::vector<Op>& ops) {
  double h = static_cast<double>(m.hidden), hd = static_cast<double>(m.head_dim);
  double q_cols = d.heads * hd, kv_cols = d.kv_heads * hd;
  add(ops, norm_op("norm1", m, d, p));
  add(ops, dense_gemm("qkv", d.tokens, q_cols + 2.0 * kv_cols, h, p));
  if (!m.learned_positions) {
    double elements = d.tokens * (q_cols + kv_cols);
    add(ops, vector_op("rotary", kRotaryFlops * elements, 2.0 * elements * p.act_bytes));
  }
  attention_core_ops(m, p, d, ops);
  add(ops, dense_gemm("proj", d.tokens, h, q_cols, p));
  add(ops, residual_op("residual1", m, d, p));
}

// Element-wise activation over `elements` outputs of the up projection.
Op activation_op(const ModelShape& m, double elements, const PassShape& p) {
  if (m.gated_mlp) {
    return vector_op("mlp_act", kSwigluFlops * elements, 3.0 * elements * p.act_bytes);
  }
  return vector_op("mlp_act", kGeluFlops * elements, 2.0 * elements * p.act_bytes);
}

// The MLP on `rows` tokens with ffn split `ffn_split` ways and `experts` experts' weights read.
void mlp_gemms(const ModelShape& m, const PassShape& p, double rows, double ffn_split,
               double experts, std::vector<Op>& ops) {
  double h = static_cast<double>(m.hidden);
  double ffn = m.ffn_hidden / ffn_split;
  double up = m.gated_mlp ? 2.0 * ffn : ffn;  // gate and up as one GEMM
  add(ops, gemm("mlp_up", rows, up, h, experts * up * h, p));
  add(ops, activation_op(m, rows * ffn, p));
  add(ops, gemm("mlp_down", rows, h, ffn, experts * h * ffn, p));
}

// Expected distinct experts `tokens` routed tokens touch out of `pool`; all of them unless
// the batch is tiny (decode), where only the touched experts' weights are read.
double experts_touched(const ModelShape& m, double tokens, double pool) {
  double miss = 1.0 - static_cast<double>(m.experts_top_k) / m.experts;
  return pool * (1.0 - std::pow(miss, tokens));
}

void moe_ops(const ModelShape& m, const PassShape& p, const Dims& d, std::vector<Op>& ops) {
  double h = static_cast<double>(m.hidden), e = static_cast<double>(m.experts);
  add(ops, dense_gemm("router", d.row_tokens, e, h, p));
  double tp = static_cast<double>(p.tp);
  double routed = d.tokens * m.experts_top_k;
  if (m.experts % p.tp == 0) {
    // Whole experts per device: each sees its share of the routed tokens.
    mlp_gemms(m, p, routed / tp, 1.0, experts_touched(m, d.tokens, e / tp), ops);
  } else {
    mlp_gemms(m, p, routed, tp, experts_touched(m, d.tokens, e), ops);
  }
}

// Puts the quantisation of each weight GEMM's input before it, fused into the kernel before.
void quantize_gemm_inputs(const PassShape& p, std::vector<Op>& ops) {
  if (!p.quantize_activations || p.weight_bytes >= p.act_bytes) return;
  std::vector<Op> out;
  out.reserve(2 * ops.size());
  for (auto& op : ops) {
    if (op.kind == OpKind::Gemm) {
      double elements = op.m * op.k;
      Op quantize = vector_op("quantize_" + op.name, 2.0 * elements,
                              elements * (p.act_bytes + p.weight_bytes));
      quantize.fused = !out.empty();
      add(out, std::move(quantize));
    }
    out.push_back(std::move(op));
  }
  ops.swap(out);
}

}  // namespace

std::vector<Op> layer_forward_ops(const ModelShape& m, const PassShape& p) {
  Dims d = dims(m, p);
  std::vector<Op> ops;
  attention_ops(m, p, d, ops);
  add(ops, norm_op("norm2", m, d, p));
  if (m.is_moe()) {
    moe_ops(m, p, d, ops);
  } else {
    mlp_gemms(m, p, d.tokens, static_cast<double>(p.tp), 1.0, ops);
  }
  add(ops, residual_op("residual2", m, d, p));
  quantize_gemm_inputs(p, ops);
  return ops;
}

std::vector<Op> embedding_forward_ops(const ModelShape& m, const PassShape& p) {
  Dims d = dims(m, p);
  double elements = d.tokens * m.hidden;
  std::vector<Op> ops;
  // Vocab-parallel table: each device reads its 1/tp of the rows and writes a full output.
  Op lookup;
  lookup.name = "embedding";
  lookup.kind = OpKind::Embedding;
  lookup.bytes = elements * (p.weight_bytes / p.tp + p.act_bytes);
  add(ops, lookup);
  if (m.learned_positions) {
    double rows = d.row_tokens * m.hidden;
    add(ops, vector_op("positions", rows, rows * (p.weight_bytes + 2.0 * p.act_bytes)));
  }
  return ops;
}

std::vector<Op> head_forward_ops(const ModelShape& m, const PassShape& p, bool with_loss) {
  Dims d = dims(m, p);
  double vocab = static_cast<double>(m.vocab) / p.tp;
  std::vector<Op> ops;
  add(ops, norm_op("final_norm", m, d, p));
  add(ops, dense_gemm("lm_head", d.tokens, vocab, static_cast<double>(m.hidden), p));
  if (with_loss) {
    double logits = d.tokens * vocab;
    add(ops, vector_op("cross_entropy", kLossFlops * logits, 2.0 * logits * p.act_bytes));
  }
  quantize_gemm_inputs(p, ops);
  return ops;
}

double total_flops(const std::vector<Op>& ops) {
  double sum = 0;
  for (const auto& op : ops) sum += op.flops;
  return sum;
}

double total_bytes(const std::vector<Op>& ops) {
  double sum = 0;
  for (const auto& op : ops) sum += op.bytes;
  return sum;
}

}  // namespace kcsim

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/workloads/model_fixtures.hpp"
#include "workloads/transformer_ops.hpp"

using namespace kcsim;
using Catch::Matchers::WithinRel;

namespace {

Op find(const std::vector<Op>& ops, const std::string& name) {
  auto it = std::find_if(ops.begin(), ops.end(), [&](const Op& op) { return op.name == name; });
  REQUIRE(it != ops.end());
  return *it;
}

bool has(const std::vector<Op>& ops, const std::string& name) {
  return std::any_of(ops.begin(), ops.end(), [&](const Op& op) { return op.name == name; });
}

std::vector<std::string> names(const std::vector<Op>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(op.name);
  return out;
}

bool is_matmul(const Op& op) { return op.kind == OpKind::Gemm || op.kind == OpKind::AttnGemm; }

double matmul_flops(const std::vector<Op>& ops) {
  double sum = 0;
  for (const auto& op : ops) {
    if (is_matmul(op)) sum += op.flops;
  }
  return sum;
}

PassShape training_pass(int64_t sequences, int64_t seq_len) {
  PassShape p;
  p.sequences = sequences;
  p.new_tokens = seq_len;
  p.context = seq_len;
  return p;
}

// Forward matmul FLOPs of the whole model: every layer plus the LM head.
double model_matmul_flops(const ModelShape& m, const PassShape& p) {
  return m.layers * matmul_flops(layer_forward_ops(m, p)) +
         matmul_flops(head_forward_ops(m, p, true));
}

}  // namespace

TEST_CASE("GPT forward FLOPs follow 24Tlh^2(1 + s/6h) + 2ThV", "[workloads][ops]") {
  ModelShape m = test::gpt3_175b();
  const double b = 4, s = 2048, l = 96, h = 12288, v = 50257, t = b * s;
  PassShape p = training_pass(4, 2048);

  // Narayanan et al. count the full s x s score matrix: no causal saving.
  p.causal = false;
  double full = 24 * t * l * h * h * (1 + s / (6 * h)) + 2 * t * h * v;
  CHECK_THAT(model_matmul_flops(m, p), WithinRel(full, 1e-12));

  // Causal attention computes half the scores: the attention term halves.
  p.causal = true;
  double causal = 24 * t * l * h * h * (1 + s / (12 * h)) + 2 * t * h * v;
  CHECK_THAT(model_matmul_flops(m, p), WithinRel(causal, 1e-12));
}

TEST_CASE("GPT-3 training FLOPs are 6ND within 3 %", "[workloads][ops]") {
  ModelShape m = test::gpt3_175b();
  PassShape p = training_pass(1, 2048);
  double forward = total_flops(embedding_forward_ops(m, p)) +
                   m.layers * total_flops(layer_forward_ops(m, p)) +
                   total_flops(head_forward_ops(m, p, true));
  double tokens = 2048;
  CHECK_THAT(3 * forward, WithinRel(6 * parameter_count(m) * tokens, 0.03));
}

TEST_CASE("a dense layer has the named ops in order", "[workloads][ops]") {
  PassShape p = training_pass(1, 2048);
  std::vector<std::string> gpt = {"norm1",        "qkv",     "attn_score", "attn_softmax",
                                  "attn_context", "proj",    "residual1",  "norm2",
                                  "mlp_up",       "mlp_act", "mlp_down",   "residual2"};
  CHECK(names(layer_forward_ops(test::gpt3_175b(), p)) == gpt);

  // Rotary models add a rotary op after the QKV projection.
  auto llama = names(layer_forward_ops(test::llama2_7b(), p));
  REQUIRE(llama.size() == gpt.size() + 1);
  CHECK(llama[2] == "rotary");

  // Every op does something.
  for (const auto& op : layer_forward_ops(test::mixtral_8x7b(), p)) {
    CHECK((op.flops > 0 || op.bytes > 0));
  }
}

TEST_CASE("GEMM shapes, FLOPs and bytes", "[workloads][ops]") {
  ModelShape m = test::llama2_70b();
  PassShape p = training_pass(2, 4096);
  p.tp = 8;
  auto ops = layer_forward_ops(m, p);
  const double t = 2 * 4096;

  const Op& qkv = find(ops, "qkv");
  CHECK(qkv.kind == OpKind::Gemm);
  CHECK(qkv.m == t);
  CHECK(qkv.n == (8192 + 2 * 1024) / 8);
  CHECK(qkv.k == 8192);
  CHECK(qkv.flops == 2 * qkv.m * qkv.n * qkv.k);
  CHECK(qkv.bytes == qkv.n * qkv.k * 2 + (qkv.m * qkv.k + qkv.m * qkv.n) * 2);

  const Op& proj = find(ops, "proj");
  CHECK(proj.n == 8192);
  CHECK(proj.k == 8192 / 8);

  // SwiGLU: gate and up in one GEMM.
  CHECK(find(ops, "mlp_up").n == 2 * 28672 / 8);
  CHECK(find(ops, "mlp_down").k == 28672 / 8);
  CHECK(find(ops, "mlp_down").n == 8192);

  // Fused attention takes the 8 query heads of each KV head together: one tile of 8 x 4096 rows
  // per KV head and sequence.
  const Op& score = find(ops, "attn_score");
  CHECK(score.kind == OpKind::AttnGemm);
  CHECK(score.batch == 2 * 8 / 8);
  CHECK(score.m == 8 * 4096);
  CHECK(score.n == 4096);
  CHECK(score.k == 128);
  CHECK(score.flops == 2 * 2 * (64 / 8) * 4096.0 * 4096 * 128 * 0.5);
  const Op& context = find(ops, "attn_context");
  CHECK(context.n == 128);
  CHECK(context.k == 4096);

  // Unfused attention repeats K and V for every query head.
  p.flash_attention = false;
  p.causal = false;
  const Op unfused = find(layer_forward_ops(m, p), "attn_score");
  CHECK(unfused.batch == 2 * 64 / 8);
  CHECK(unfused.m == 4096);
  CHECK(unfused.flops == score.flops * 2);
}

TEST_CASE("a decode step's attention tile holds a KV head's query heads", "[workloads][ops]") {
  ModelShape m = test::llama2_70b();  // 64 query heads, 8 KV heads
  PassShape p;
  p.sequences = 16;
  p.new_tokens = 1;
  p.context = 2048;
  p.tp = 8;
  p.flash_attention = true;
  p.causal = true;
  const Op& score = find(layer_forward_ops(m, p), "attn_score");
  CHECK(score.m == 8);  // not 1: the grouped query heads fill the tile's rows
  CHECK(score.batch == 16);
  CHECK(score.flops == 2.0 * 16 * 8 * 2048 * 128);
}

TEST_CASE("KV heads are replicated when tp exceeds them", "[workloads][ops]") {
  ModelShape m = test::llama2_70b();  // 8 KV heads
  PassShape p = training_pass(1, 1024);
  p.tp = 16;
  // 4 query heads and one (replicated) KV head per device.
  CHECK(find(layer_forward_ops(m, p), "qkv").n == 4 * 128 + 2 * 128);
}

TEST_CASE("tensor parallelism splits every matmul evenly", "[workloads][ops][tp]") {
  auto check_split = [](const ModelShape& m, int64_t tp) {
    PassShape one = training_pass(2, 2048);
    PassShape split = one;
    split.tp = tp;
    auto whole = layer_forward_ops(m, one);
    auto part = layer_forward_ops(m, split);
    REQUIRE(names(whole) == names(part));
    for (size_t i = 0; i < whole.size(); ++i) {
      if (!is_matmul(whole[i]) || whole[i].name == "router") continue;
      INFO(m.name << " tp " << tp << " " << whole[i].name);
      CHECK_THAT(part[i].flops * tp, WithinRel(whole[i].flops, 1e-12));
    }
    double head = matmul_flops(head_forward_ops(m, one, false));
    CHECK_THAT(matmul_flops(head_forward_ops(m, split, false)) * tp, WithinRel(head, 1e-12));
  };
  check_split(test::gpt3_175b(), 8);
  check_split(test::llama2_70b(), 8);
  check_split(test::mixtral_8x7b(), 4);  // whole experts per device

  config::Model c = test::llama_config("six-experts", 4, 4096, 32, 8, 14336, 32000);
  c.set_experts(6);
  c.set_experts_top_k(2);
  check_split(ModelShape::from_config(c), 4);  // each expert's ffn split
}

TEST_CASE("MoE routes tokens * top_k to the experts", "[workloads][ops][moe]") {
  ModelShape m = test::mixtral_8x7b();
  PassShape p = training_pass(1, 4096);
  p.tp = 4;
  auto ops = layer_forward_ops(m, p);
  const Op& router = find(ops, "router");
  CHECK(router.n == 8);
  CHECK(router.k == 4096);
  const Op& up = find(ops, "mlp_up");
  CHECK(up.m == 4096 * 2 / 4);
  CHECK(up.n == 2 * 14336);  // whole experts: ffn not split
  // Every local expert's weights are read: 8 / 4 experts.
  double weights = 2 * 2.0 * 14336 * 4096 * 2;
  CHECK_THAT(up.bytes - (up.m * up.k + up.m * up.n) * 2, WithinRel(weights, 1e-9));
}

TEST_CASE("MoE decode reads only the experts a token visits", "[workloads][ops][moe]") {
  ModelShape m = test::mixtral_8x7b();
  PassShape p;
  p.sequences = 1;
  p.new_tokens = 1;
  p.context = 100;
  const Op& down = find(layer_forward_ops(m, p), "mlp_down");
  double weights = down.bytes - (down.m * down.k + down.m * down.n) * 2;
  CHECK_THAT(weights, WithinRel(2 * 4096.0 * 14336 * 2, 1e-9));  // top_k = 2 experts
}

TEST_CASE("decode reads the KV cache of the whole context", "[workloads][ops][decode]") {
  ModelShape m = test::llama2_70b();
  PassShape p;
  p.sequences = 4;
  p.new_tokens = 1;
  p.context = 1000;
  p.tp = 4;
  p.kv_bytes = 1;
  auto ops = layer_forward_ops(m, p);
  // 4 sequences x 1000 tokens x K and V x 2 KV heads x 128 x 1 byte.
  CHECK(find(ops, "kv_read").bytes == 4.0 * 1000 * 2 * 2 * 128 * 1);
  // One new token attends to all of the context: no causal halving.
  const Op& score = find(ops, "attn_score");
  CHECK(score.flops == 2.0 * (4 * 64 / 4) * 1 * 1000 * 128);
  CHECK(find(ops, "qkv").m == 4);

  p.tp = 16;  // one replicated KV head per device
  CHECK(find(layer_forward_ops(m, p), "kv_read").bytes == 4.0 * 1000 * 2 * 1 * 128 * 1);

  // Prefill computes K and V: nothing to read from the cache.
  CHECK_FALSE(has(layer_forward_ops(m, training_pass(4, 1000)), "kv_read"));
}

TEST_CASE("flash attention keeps the score matrix out of memory", "[workloads][ops][attention]") {
  ModelShape m = test::gpt3_175b();
  PassShape p = training_pass(1, 2048);
  p.tp = 8;
  p.flash_attention = false;
  auto plain = layer_forward_ops(m, p);
  p.flash_attention = true;
  auto fused = layer_forward_ops(m, p);

  double scores = (96 / 8) * 2048.0 * 2048 * 2;  // batch x m x n x act_bytes
  CHECK(find(plain, "attn_softmax").bytes == 2 * scores);
  CHECK(find(fused, "attn_softmax").bytes == 0);
  CHECK(find(fused, "attn_softmax").flops > 0);
  // Score write, softmax read and write, probabilities read.
  CHECK_THAT(total_bytes(plain) - total_bytes(fused), WithinRel(4 * scores, 1e-12));
  CHECK(total_flops(plain) == total_flops(fused));
}

TEST_CASE("sequence parallelism splits norms and residuals only", "[workloads][ops][sp]") {
  ModelShape m = test::gpt3_175b();
  PassShape p = training_pass(1, 2048);
  p.tp = 8;
  auto tp_only = layer_forward_ops(m, p);
  p.sequence_parallel = true;
  auto sp = layer_forward_ops(m, p);
  double norm_bytes = 2048.0 * 12288 * 2 * 2;
  CHECK(find(tp_only, "norm1").bytes == norm_bytes);
  CHECK(find(sp, "norm1").bytes == norm_bytes / 8);
  CHECK(find(sp, "residual2").bytes == find(tp_only, "residual2").bytes / 8);
  CHECK(find(sp, "qkv").flops == find(tp_only, "qkv").flops);
}

TEST_CASE("model head and embedding ops", "[workloads][ops]") {
  ModelShape m = test::llama3_8b();
  PassShape p = training_pass(2, 1024);
  p.tp = 2;
  const double t = 2 * 1024;

  auto head = head_forward_ops(m, p, true);
  CHECK(names(head) == std::vector<std::string>{"final_norm", "lm_head", "cross_entropy"});
  const Op& lm = find(head, "lm_head");
  CHECK(lm.m == t);
  CHECK(lm.n == 128256 / 2);
  CHECK(lm.k == 4096);
  CHECK(find(head, "cross_entropy").bytes == t * 64128 * 2 * 2);
  CHECK_FALSE(has(head_forward_ops(m, p, false), "cross_entropy"));

  auto embed = embedding_forward_ops(m, p);
  CHECK(names(embed) == std::vector<std::string>{"embedding"});
  CHECK(embed[0].kind == OpKind::Embedding);
  CHECK(embed[0].bytes == t * 4096 * (2.0 / 2 + 2));
  // Learned positions add their own lookup.
  CHECK(has(embedding_forward_ops(test::gpt3_175b(), p), "positions"));
}

TEST_CASE("an 8-bit GEMM's input is quantised in the kernel before it", "[workloads][ops][fp8]") {
  ModelShape model = test::llama2_70b();
  PassShape pass;
  pass.sequences = 1;
  pass.new_tokens = 512;
  pass.context = 512;
  pass.weight_bytes = 1;
  pass.act_bytes = 2;
  auto plain = layer_forward_ops(model, pass);
  pass.quantize_activations = true;
  auto quantised = layer_forward_ops(model, pass);
  int gemms = static_cast<int>(std::count_if(plain.begin(), plain.end(),
                                             [](const Op& op) { return op.kind == OpKind::Gemm; }));
  CHECK(quantised.size() == plain.size() + gemms);
  auto launched = [](const std::vector<Op>& ops) {
    return std::count_if(ops.begin(), ops.end(), [](const Op& op) { return !op.fused; });
  };
  CHECK(launched(quantised) == launched(plain));  // fused: no launches of their own
  // Each reads the 16-bit input and writes it in 8 bits.
  double extra = total_bytes(quantised) - total_bytes(plain);
  double inputs = 0;
  for (const auto& op : plain) {
    if (op.kind == OpKind::Gemm) inputs += op.m * op.k;
  }
  CHECK_THAT(extra, WithinRel(3.0 * inputs, 1e-12));
  // 16-bit weights quantise nothing.
  pass.weight_bytes = 2;
  CHECK(layer_forward_ops(model, pass).size() == plain.size());
}

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "tests/workloads/model_fixtures.hpp"
#include "workloads/model_shape.hpp"

using namespace kcsim;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;

TEST_CASE("GPT-3 175B has 174.6 billion parameters", "[workloads][params]") {
  ModelShape m = test::gpt3_175b();
  CHECK_THAT(parameter_count(m), WithinRel(174.6e9, 0.005));
  double h = 12288;
  // 12h^2 of weights and 13h of biases and LayerNorm parameters per layer.
  CHECK(layer_parameters(m) == 12 * h * h + 13 * h);
  // Tied: one vocab table, learned positions, final LayerNorm.
  CHECK(non_layer_parameters(m) == 50257 * h + 2048 * h + 2 * h);
  CHECK(active_parameter_count(m) == parameter_count(m));
}

TEST_CASE("Llama-2-7B has 6.74 billion parameters", "[workloads][params]") {
  ModelShape m = test::llama2_7b();
  CHECK_THAT(parameter_count(m), WithinRel(6.74e9, 0.01));
  // SwiGLU, no biases: three h x ffn matrices.
  CHECK(mlp_parameters(m) == 3.0 * 4096 * 11008);
  // Untied: table and LM head, RMSNorm weight only, no position table.
  CHECK(non_layer_parameters(m) == 2.0 * 32000 * 4096 + 4096);
}

TEST_CASE("Grouped-query attention counts K and V for the KV heads only", "[workloads][params]") {
  ModelShape m = test::llama2_70b();
  REQUIRE(m.kv_dim() == 1024);
  double attention = layer_parameters(m) - mlp_parameters(m) - 2.0 * 8192;
  CHECK(attention == 8192.0 * (8192 + 2 * 1024) + 8192.0 * 8192);  // 150,994,944
  CHECK_THAT(parameter_count(m), WithinRel(68.98e9, 0.01));
}

TEST_CASE("Mixtral 8x7B: 46.7B parameters, 12.9B active", "[workloads][params][moe]") {
  ModelShape m = test::mixtral_8x7b();
  REQUIRE(m.is_moe());
  CHECK_THAT(parameter_count(m), WithinRel(46.7e9, 0.02));
  CHECK_THAT(active_parameter_count(m), WithinRel(12.9e9, 0.02));
  // Active differs from total by exactly the six idle experts per layer.
  CHECK(parameter_count(m) - active_parameter_count(m) == 32 * 6 * mlp_parameters(m));
}

TEST_CASE("KV cache bytes per token", "[workloads][kv]") {
  CHECK(kv_bytes_per_token(test::llama2_70b(), 2) == 327680);  // 2 * 80 * 8 * 128 * 2
  CHECK(kv_bytes_per_token(test::llama3_8b(), 2) == 131072);   // 2 * 32 * 8 * 128 * 2
  CHECK(kv_bytes_per_token(test::llama3_8b(), 1) == 65536);
  // Without GQA every head is cached: Llama-2-7B, 2 * 32 * 32 * 128 * 2.
  CHECK(kv_bytes_per_token(test::llama2_7b(), 2) == 524288);
}

TEST_CASE("from_config resolves defaults", "[workloads][config]") {
  config::Model c;
  c.set_name("tiny");
  c.set_layers(2);
  c.set_hidden(256);
  c.set_heads(4);
  c.set_vocab(1000);
  ModelShape m = ModelShape::from_config(c);
  CHECK(m.name == "tiny");
  CHECK(m.kv_heads == 4);
  CHECK(m.head_dim == 64);
  CHECK(m.ffn_hidden == 1024);
  CHECK(m.max_seq_len == 2048);
  CHECK_FALSE(m.gated_mlp);
  CHECK_FALSE(m.rms_norm);
  CHECK(m.learned_positions);
  CHECK(m.biases);
  CHECK_FALSE(m.is_moe());

  ModelShape llama = test::llama3_8b();
  CHECK(llama.gated_mlp);
  CHECK(llama.rms_norm);
  CHECK_FALSE(llama.learned_positions);
  CHECK_FALSE(llama.biases);
  CHECK(llama.head_dim == 128);
}

TEST_CASE("an explicit head_dim overrides hidden / heads", "[workloads][config]") {
  config::Model c = test::llama_config("wide-heads", 2, 3072, 16, 16, 8192, 1000);
  c.set_head_dim(256);
  ModelShape m = ModelShape::from_config(c);
  CHECK(m.q_dim() == 4096);
  double attention = layer_parameters(m) - mlp_parameters(m) - 2.0 * 3072;
  CHECK(attention == 3072.0 * (3 * 4096) + 4096.0 * 3072);
}

namespace {

void require_error(const config::Model& c, const std::string& field) {
  REQUIRE_THROWS_AS(ModelShape::from_config(c), InputError);
  REQUIRE_THROWS_WITH(ModelShape::from_config(c),
                      ContainsSubstring("model " + c.name() + ": " + field + ": "));
}

}  // namespace

TEST_CASE("from_config rejects shapes that cannot exist", "[workloads][config]") {
  config::Model good = test::llama_config("bad", 32, 4096, 32, 8, 14336, 128256);
  REQUIRE_NOTHROW(ModelShape::from_config(good));

  auto c = good;
  c.set_kv_heads(6);
  require_error(c, "kv_heads");

  c = good;
  c.set_layers(0);
  require_error(c, "layers");

  c = good;
  c.clear_hidden();
  require_error(c, "hidden");

  c = good;
  c.set_vocab(-5);
  require_error(c, "vocab");

  c = good;
  c.set_hidden(4100);  // not divisible by 32 heads and no head_dim
  require_error(c, "head_dim");

  c = good;
  c.set_experts(4);
  c.set_experts_top_k(5);
  require_error(c, "experts_top_k");

  c = good;
  c.set_ffn_hidden(0);
  require_error(c, "ffn_hidden");
}

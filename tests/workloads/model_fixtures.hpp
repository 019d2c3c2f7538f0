// Published model shapes built as config messages, so the tests do not depend on catalog files.
#pragma once

#include <string>

#include "model.pb.h"
#include "workloads/model_shape.hpp"

namespace kcsim::test {

inline config::Model gpt_config(const std::string& name, int64_t layers, int64_t hidden,
                                int64_t heads) {
  config::Model m;
  m.set_name(name);
  m.set_layers(layers);
  m.set_hidden(hidden);
  m.set_heads(heads);
  m.set_vocab(50257);
  m.set_max_seq_len(2048);
  m.set_tied_embeddings(true);
  return m;
}

inline config::Model llama_config(const std::string& name, int64_t layers, int64_t hidden,
                                  int64_t heads, int64_t kv_heads, int64_t ffn, int64_t vocab) {
  config::Model m;
  m.set_name(name);
  m.set_layers(layers);
  m.set_hidden(hidden);
  m.set_heads(heads);
  m.set_kv_heads(kv_heads);
  m.set_ffn_hidden(ffn);
  m.set_vocab(vocab);
  m.set_mlp(config::SWIGLU);
  m.set_norm(config::RMSNORM);
  m.set_position(config::ROTARY);
  m.set_attention_bias(false);
  return m;
}

inline ModelShape gpt3_175b() {
  return ModelShape::from_config(gpt_config("gpt3-175b", 96, 12288, 96));
}
inline ModelShape llama2_7b() {
  return ModelShape::from_config(llama_config("llama2-7b", 32, 4096, 32, 32, 11008, 32000));
}
inline ModelShape llama2_70b() {
  return ModelShape::from_config(llama_config("llama2-70b", 80, 8192, 64, 8, 28672, 32000));
}
inline ModelShape llama3_8b() {
  return ModelShape::from_config(llama_config("llama3-8b", 32, 4096, 32, 8, 14336, 128256));
}
inline ModelShape mixtral_8x7b() {
  config::Model m = llama_config("mixtral-8x7b", 32, 4096, 32, 8, 14336, 32000);
  m.set_experts(8);
  m.set_experts_top_k(2);
  return ModelShape::from_config(m);
}

}  // namespace kcsim::test

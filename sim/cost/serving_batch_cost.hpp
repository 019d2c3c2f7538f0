// The time of one serving iteration over a mixed batch: prompt chunks (each with its own
// length and context) and decode steps (one token each against their own context), on one
// replica, from the hardware model plus tensor-parallel communication. With pp stages (one
// batch in flight) the iteration is the stages back to back plus the sends between them.
//
// The layer splits at kernel boundaries into the parts that depend only on the batch's total
// tokens (norms, QKV, projections, MLP: GEMMs over all tokens) and attention, which depends on
// each sequence's context. Decode attention is linear in the context for every op (KV read,
// scores, context product), so the decode sequences are priced as one fused kernel at their
// mean context: exact in sum(context) up to rounding the mean to a whole token. Prompt chunks
// are priced per distinct (chunk, context).
// A uniform batch costs what serving_iteration (serving_iteration.hpp) gives it. The model
// prices at the spec's DVFS state (`spec.state`); serving_dvfs.hpp holds one per state.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/cost/serving_iteration.hpp"

namespace kcsim {

struct MixedBatch {
  // (new tokens, context after the chunk) of each prompt chunk.
  std::vector<std::pair<int64_t, int64_t>> prefill_chunks;
  int64_t decode_sequences = 0;
  int64_t decode_context_sum = 0;  // sum over the decode sequences of their context
};

// The rounded mean context at which the decode sequences are priced (0 without any).
int64_t decode_mean_context(const MixedBatch& batch);

class BatchCostModel {
 public:
  BatchCostModel(const ClusterModel& cluster, const ServingSpec& spec);
  // Results for repeated parts are cached, so the model is cheap to call per iteration.
  IterationCost cost(const MixedBatch& batch);

 private:
  // Embedding and every layer's token-count-only ops for `tokens` tokens.
  const OpCost& dense(int64_t tokens);
  const OpCost& head(int64_t sequences);
  // One layer's attention core for `sequences` sequences of (new, context), all layers.
  OpCost attention(int64_t sequences, int64_t new_tokens, int64_t context);
  double tp_comm_s(int64_t tokens);
  double pp_comm_s(int64_t tokens);  // sends between pipeline stages

  const ClusterModel& cluster_;
  ServingSpec spec_;
  Execution exec_;
  std::unordered_map<int64_t, OpCost> dense_, head_;
  std::unordered_map<uint64_t, OpCost> attention_;
  std::unordered_map<int64_t, double> tp_comm_;
  std::unordered_map<int64_t, double> pp_comm_;
};

}  // namespace kcsim

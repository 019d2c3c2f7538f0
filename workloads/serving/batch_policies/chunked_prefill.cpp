// Chunked prefill (Sarathi-Serve): each iteration has a budget of chunk_tokens tokens: every
// decoding sequence's token first, then prompt chunks (continuing prefills, then new ones whose
// prompt blocks are taken at admission, so their later chunks never wait for memory).
#include <algorithm>

#include "workloads/serving/batch_policies/batch_policies.hpp"

namespace kcsim::serving {
namespace {

class ChunkedPrefill final : public BatchPolicy {
 public:
  void form(SchedulerState& s) const override {
    int64_t budget = s.config.chunk_tokens;
    for (size_t i = 0; i < s.running.size() && budget > 0; ++i) {
      const auto& q = s.seq(s.running[i]);
      if (q.kv_tokens < q.prefill_target) continue;
      if (!s.add_decode(i)) break;
      --budget;
    }
    auto add_chunk = [&](int64_t id) {
      const auto& q = s.seq(id);
      int64_t chunk = std::min(q.prefill_target - q.kv_tokens, budget);
      if (chunk <= 0) return;
      s.batch.entries.push_back({id, chunk, q.kv_tokens + chunk, true, false});
      s.batch.prefill_tokens += chunk;
      budget -= chunk;
    };
    for (size_t i = 0; i < s.running.size() && budget > 0; ++i) add_chunk(s.running[i]);
    while (budget > 0 && !s.waiting.empty() && !s.full()) {
      int64_t id = s.waiting.front();
      if (!s.kv.grow(id, s.seq(id).prefill_target)) break;
      s.admit_first();
      add_chunk(id);
    }
  }
};

}  // namespace

BatchPolicyEntry chunked_prefill_policy() {
  static const ChunkedPrefill kPolicy;
  return {"chunked", "Sarathi-Serve: decodes first, then prompt chunks, within a token budget",
          &kPolicy};
}

}  // namespace kcsim::serving

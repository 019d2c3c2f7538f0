// Static batching (FasterTransformer-style engines): a batch of up to max_batch requests, KV
// reserved for prompt + output up front as static engines size their buffers, prefilled
// together, then decoded until the longest is done; the next batch starts only then, and its
// requests are answered together at its end.
#include <algorithm>

#include "workloads/serving/batch_policies/batch_policies.hpp"

namespace kcsim::serving {
namespace {

class StaticBatching final : public BatchPolicy {
 public:
  void form(SchedulerState& s) const override {
    if (s.running.empty()) {
      while (!s.waiting.empty() && !s.full()) {
        int64_t id = s.waiting.front();
        const auto& q = s.seq(id);
        if (!s.kv.grow(id, q.input_tokens + q.output_tokens)) break;
        s.admit_first();
      }
      for (int64_t id : s.running) {
        const auto& q = s.seq(id);
        s.batch.entries.push_back({id, q.prefill_target, q.prefill_target, true, false});
        s.batch.prefill_tokens += q.prefill_target;
      }
      return;
    }
    for (int64_t id : s.running) {
      const auto& q = s.seq(id);
      int64_t context = std::min(q.kv_tokens + 1, q.input_tokens + q.output_tokens);
      s.batch.entries.push_back({id, 1, context, false, q.generated >= q.output_tokens});
      ++s.batch.decode_sequences;
      s.batch.decode_context_sum += context;
    }
  }
  bool whole_batch() const override { return true; }
};

}  // namespace

BatchPolicyEntry static_batching_policy() {
  static const StaticBatching kPolicy;
  return {"static", "batches formed whole, run until the longest request is done", &kPolicy};
}

}  // namespace kcsim::serving

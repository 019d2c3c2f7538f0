// Continuous batching (vLLM): each iteration either prefills newly admitted prompts (admitted
// while their prompt's blocks are free, up to prefill_token_budget tokens) or, when none was
// admitted, decodes every running sequence; a decode that finds no free block preempts the
// youngest running sequence.
#include "workloads/serving/batch_policies/batch_policies.hpp"

namespace kcsim::serving {
namespace {

class ContinuousBatching final : public BatchPolicy {
 public:
  void form(SchedulerState& s) const override {
    int64_t budget = s.config.prefill_token_budget;
    while (!s.waiting.empty() && !s.full()) {
      int64_t id = s.waiting.front();
      const auto& q = s.seq(id);
      int64_t prompt = q.prefill_target - q.kv_tokens;
      if (prompt > 0 && s.batch.prefill_tokens > 0 && prompt > budget) break;
      if (!s.kv.grow(id, q.prefill_target)) break;
      s.admit_first();
      if (prompt > 0) {
        s.batch.entries.push_back({id, prompt, q.prefill_target, true, false});
        s.batch.prefill_tokens += prompt;
        budget -= prompt;
      }
    }
    if (!s.batch.empty()) return;  // prefill iterations run alone, as in vLLM
    for (size_t i = 0; i < s.running.size(); ++i) {
      if (!s.add_decode(i)) break;
    }
  }
};

}  // namespace

BatchPolicyEntry continuous_batching_policy() {
  static const ContinuousBatching kPolicy;
  return {"continuous", "vLLM: admit while blocks are free, prefill or decode each iteration",
          &kPolicy};
}

}  // namespace kcsim::serving

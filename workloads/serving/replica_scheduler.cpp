#include "workloads/serving/replica_scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace kcsim::serving {
namespace {

const BatchPolicy& policy_named(const std::string& name) {
  const BatchPolicy* policy = find_batch_policy(name);
  if (!policy) throw std::invalid_argument("scheduler: unknown batch policy \"" + name + "\"");
  return *policy;
}

}  // namespace

ReplicaScheduler::ReplicaScheduler(const SchedulerConfig& config, KvBlockManager kv,
                                   std::vector<SequenceState>& sequences)
    : policy_(&policy_named(config.policy)), state_(config, std::move(kv), sequences) {
  if (config.max_batch < 1 || config.chunk_tokens < 1 || config.prefill_token_budget < 1) {
    throw std::invalid_argument("scheduler: batch and token budgets must be positive");
  }
}

bool ReplicaScheduler::can_ever_hold(int64_t sequence) const {
  const auto& s = state_.seq(sequence);
  return state_.kv.blocks_for(s.input_tokens + s.output_tokens) <= state_.kv.capacity_blocks();
}

void ReplicaScheduler::enqueue(int64_t sequence) {
  auto& s = state_.seq(sequence);
  if (s.prefill_target == 0) s.prefill_target = s.input_tokens;
  state_.waiting.push_back(sequence);
  state_.outstanding_tokens += s.remaining_tokens();
}

const Batch& ReplicaScheduler::next_batch() {
  state_.batch = Batch{};
  policy_->form(state_);
  if (state_.batch.empty() && has_work()) {
    throw std::logic_error("scheduler: work waiting but no iteration could be formed");
  }
  batch_pending_ = true;
  if (state_.kv.checked()) check();
  return state_.batch;
}

int64_t ReplicaScheduler::reserved_tokens(int64_t sequence, int64_t pending) const {
  const auto& s = state_.seq(sequence);
  if (policy_->whole_batch()) return s.input_tokens + s.output_tokens;
  return std::max(s.kv_tokens + pending, s.prefill_target);
}

void ReplicaScheduler::check() const {
  state_.kv.check();
  auto fail = [](const std::string& what) { throw std::logic_error("KV cache: " + what); };
  std::unordered_map<int64_t, int64_t> pending;
  if (batch_pending_) {
    for (const auto& e : state_.batch.entries) {
      if (!e.padding) pending[e.sequence] += e.new_tokens;
    }
  }
  int64_t held = 0;
  for (int64_t id : state_.running) {
    auto p = pending.find(id);
    int64_t tokens = reserved_tokens(id, p == pending.end() ? 0 : p->second);
    int64_t want = state_.kv.blocks_for(tokens);
    if (state_.kv.held(id) != want) {
      fail("running sequence " + std::to_string(id) + " holds " +
           std::to_string(state_.kv.held(id)) + " blocks for " + std::to_string(tokens) +
           " tokens, which need " + std::to_string(want));
    }
    held += state_.kv.held(id);
  }
  for (int64_t id : state_.waiting) {
    if (state_.kv.held(id) != 0) {
      fail("waiting sequence " + std::to_string(id) + " holds " +
           std::to_string(state_.kv.held(id)) + " blocks");
    }
  }
  if (held != state_.kv.used_blocks()) {
    fail("running sequences hold " + std::to_string(held) + " blocks but " +
         std::to_string(state_.kv.used_blocks()) + " are in use");
  }
}

void ReplicaScheduler::complete(double now, std::vector<int64_t>& finished,
                                std::vector<int64_t>& handed_off) {
  complete_batch(now, finished, handed_off);
  batch_pending_ = false;
  if (state_.kv.checked()) check();
}

void ReplicaScheduler::complete_batch(double now, std::vector<int64_t>& finished,
                                      std::vector<int64_t>& handed_off) {
  bool leaving = false;
  for (const auto& e : state_.batch.entries) {
    if (e.padding) continue;
    auto& s = state_.seq(e.sequence);
    int64_t before = s.remaining_tokens();
    s.kv_tokens += e.new_tokens;
    bool emits = !e.prefill || s.kv_tokens == s.prefill_target;
    if (emits) {
      ++s.generated;
      if (s.first_token_s < 0) s.first_token_s = now;
    }
    state_.outstanding_tokens += s.remaining_tokens() - before;
    if (policy_->whole_batch()) continue;
    bool done = s.generated >= s.output_tokens;
    if (done || (emits && state_.config.hand_off_after_prefill)) {
      state_.kv.release(e.sequence);
      state_.outstanding_tokens -= s.remaining_tokens();
      if (done) {
        s.finish_s = now;
        finished.push_back(e.sequence);
      } else {
        handed_off.push_back(e.sequence);
      }
      leaving = true;
    }
  }
  if (policy_->whole_batch()) {
    bool all_done = std::all_of(state_.running.begin(), state_.running.end(), [&](int64_t id) {
      const auto& s = state_.seq(id);
      return s.generated >= s.output_tokens;
    });
    if (all_done) {
      for (int64_t id : state_.running) {
        state_.seq(id).finish_s = now;
        state_.kv.release(id);
        finished.push_back(id);
      }
      state_.running.clear();
    }
    return;
  }
  if (leaving) {
    std::erase_if(state_.running, [&](int64_t id) {
      const auto& s = state_.seq(id);
      return s.generated >= s.output_tokens ||
             (state_.config.hand_off_after_prefill && s.kv_tokens == s.prefill_target);
    });
  }
}

}  // namespace kcsim::serving

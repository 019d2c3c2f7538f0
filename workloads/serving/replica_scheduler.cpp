#include "workloads/serving/replica_scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace kcsim::serving {

ReplicaScheduler::ReplicaScheduler(const SchedulerConfig& config, KvBlockManager kv,
                                   std::vector<SequenceState>& sequences)
    : config_(config), kv_(std::move(kv)), seqs_(sequences) {
  if (config.max_batch < 1 || config.chunk_tokens < 1 || config.prefill_token_budget < 1) {
    throw std::invalid_argument("scheduler: batch and token budgets must be positive");
  }
}

bool ReplicaScheduler::can_ever_hold(int64_t sequence) const {
  const auto& s = seqs_[static_cast<size_t>(sequence)];
  return kv_.blocks_for(s.input_tokens + s.output_tokens) <= kv_.capacity_blocks();
}

void ReplicaScheduler::enqueue(int64_t sequence) {
  auto& s = seqs_[static_cast<size_t>(sequence)];
  if (s.prefill_target == 0) s.prefill_target = s.input_tokens;
  waiting_.push_back(sequence);
  outstanding_tokens_ += s.remaining_tokens();
}

void ReplicaScheduler::admit(int64_t sequence) {
  waiting_.pop_front();
  running_.push_back(sequence);
}

void ReplicaScheduler::preempt_youngest() {
  int64_t victim = running_.back();
  running_.pop_back();
  auto& s = seqs_[static_cast<size_t>(victim)];
  int64_t before = s.remaining_tokens();
  kv_.release(victim);
  // Recompute: the prompt and every token generated so far are prefilled again.
  s.kv_tokens = 0;
  s.prefill_target = s.input_tokens + s.generated;
  outstanding_tokens_ += s.remaining_tokens() - before;
  ++s.preemptions;
  ++preemptions_;
  waiting_.push_front(victim);
}

bool ReplicaScheduler::add_decode(size_t index) {
  int64_t id = running_[index];
  auto& s = seqs_[static_cast<size_t>(id)];
  while (!kv_.grow(id, s.kv_tokens + 1)) {
    bool self = running_.size() == index + 1;
    preempt_youngest();
    if (self) return false;
  }
  int64_t context = s.kv_tokens + 1;
  batch_.entries.push_back({id, 1, context, false, false});
  ++batch_.decode_sequences;
  batch_.decode_context_sum += context;
  return true;
}

void ReplicaScheduler::static_batch() {
  if (running_.empty()) {
    while (!waiting_.empty() && static_cast<int>(running_.size()) < config_.max_batch) {
      int64_t id = waiting_.front();
      const auto& s = seqs_[static_cast<size_t>(id)];
      // The whole request's KV is reserved up front, as static engines size their buffers.
      if (!kv_.grow(id, s.input_tokens + s.output_tokens)) break;
      admit(id);
    }
    for (int64_t id : running_) {
      const auto& s = seqs_[static_cast<size_t>(id)];
      batch_.entries.push_back({id, s.prefill_target, s.prefill_target, true, false});
      batch_.prefill_tokens += s.prefill_target;
    }
    return;
  }
  for (int64_t id : running_) {
    const auto& s = seqs_[static_cast<size_t>(id)];
    int64_t context = std::min(s.kv_tokens + 1, s.input_tokens + s.output_tokens);
    batch_.entries.push_back({id, 1, context, false, s.generated >= s.output_tokens});
    ++batch_.decode_sequences;
    batch_.decode_context_sum += context;
  }
}

void ReplicaScheduler::continuous_batch() {
  int64_t budget = config_.prefill_token_budget;
  while (!waiting_.empty() && static_cast<int>(running_.size()) < config_.max_batch) {
    int64_t id = waiting_.front();
    const auto& s = seqs_[static_cast<size_t>(id)];
    int64_t prompt = s.prefill_target - s.kv_tokens;
    if (prompt > 0 && batch_.prefill_tokens > 0 && prompt > budget) break;
    if (!kv_.grow(id, s.prefill_target)) break;
    admit(id);
    if (prompt > 0) {
      batch_.entries.push_back({id, prompt, s.prefill_target, true, false});
      batch_.prefill_tokens += prompt;
      budget -= prompt;
    }
  }
  if (!batch_.empty()) return;  // prefill iterations run alone, as in vLLM
  for (size_t i = 0; i < running_.size(); ++i) {
    if (!add_decode(i)) break;
  }
}

void ReplicaScheduler::chunked_batch() {
  int64_t budget = config_.chunk_tokens;
  // Decodes first: one token each.
  for (size_t i = 0; i < running_.size() && budget > 0; ++i) {
    const auto& s = seqs_[static_cast<size_t>(running_[i])];
    if (s.kv_tokens < s.prefill_target) continue;
    if (!add_decode(i)) break;
    --budget;
  }
  auto add_chunk = [&](int64_t id) {
    const auto& s = seqs_[static_cast<size_t>(id)];
    int64_t chunk = std::min(s.prefill_target - s.kv_tokens, budget);
    if (chunk <= 0) return;
    batch_.entries.push_back({id, chunk, s.kv_tokens + chunk, true, false});
    batch_.prefill_tokens += chunk;
    budget -= chunk;
  };
  for (size_t i = 0; i < running_.size() && budget > 0; ++i) add_chunk(running_[i]);
  while (budget > 0 && !waiting_.empty() && static_cast<int>(running_.size()) < config_.max_batch) {
    int64_t id = waiting_.front();
    // The prompt's blocks are taken at admission, so its later chunks never wait for memory.
    if (!kv_.grow(id, seqs_[static_cast<size_t>(id)].prefill_target)) break;
    admit(id);
    add_chunk(id);
  }
}

const Batch& ReplicaScheduler::next_batch() {
  batch_ = Batch{};
  switch (config_.policy) {
    case Policy::Static:
      static_batch();
      break;
    case Policy::Continuous:
      continuous_batch();
      break;
    case Policy::Chunked:
      chunked_batch();
      break;
  }
  if (batch_.empty() && has_work()) {
    throw std::logic_error("scheduler: work waiting but no iteration could be formed");
  }
  batch_pending_ = true;
  if (kv_.checked()) check();
  return batch_;
}

int64_t ReplicaScheduler::reserved_tokens(int64_t sequence, int64_t pending) const {
  const auto& s = seqs_[static_cast<size_t>(sequence)];
  if (config_.policy == Policy::Static) return s.input_tokens + s.output_tokens;
  return std::max(s.kv_tokens + pending, s.prefill_target);
}

void ReplicaScheduler::check() const {
  kv_.check();
  auto fail = [](const std::string& what) { throw std::logic_error("KV cache: " + what); };
  std::unordered_map<int64_t, int64_t> pending;
  if (batch_pending_) {
    for (const auto& e : batch_.entries) {
      if (!e.padding) pending[e.sequence] += e.new_tokens;
    }
  }
  int64_t held = 0;
  for (int64_t id : running_) {
    auto p = pending.find(id);
    int64_t tokens = reserved_tokens(id, p == pending.end() ? 0 : p->second);
    int64_t want = kv_.blocks_for(tokens);
    if (kv_.held(id) != want) {
      fail("running sequence " + std::to_string(id) + " holds " + std::to_string(kv_.held(id)) +
           " blocks for " + std::to_string(tokens) + " tokens, which need " + std::to_string(want));
    }
    held += kv_.held(id);
  }
  for (int64_t id : waiting_) {
    if (kv_.held(id) != 0) {
      fail("waiting sequence " + std::to_string(id) + " holds " + std::to_string(kv_.held(id)) +
           " blocks");
    }
  }
  if (held != kv_.used_blocks()) {
    fail("running sequences hold " + std::to_string(held) + " blocks but " +
         std::to_string(kv_.used_blocks()) + " are in use");
  }
}

void ReplicaScheduler::complete(double now, std::vector<int64_t>& finished,
                                std::vector<int64_t>& handed_off) {
  complete_batch(now, finished, handed_off);
  batch_pending_ = false;
  if (kv_.checked()) check();
}

void ReplicaScheduler::complete_batch(double now, std::vector<int64_t>& finished,
                                      std::vector<int64_t>& handed_off) {
  bool leaving = false;
  for (const auto& e : batch_.entries) {
    if (e.padding) continue;
    auto& s = seqs_[static_cast<size_t>(e.sequence)];
    int64_t before = s.remaining_tokens();
    s.kv_tokens += e.new_tokens;
    bool emits = !e.prefill || s.kv_tokens == s.prefill_target;
    if (emits) {
      ++s.generated;
      if (s.first_token_s < 0) s.first_token_s = now;
    }
    outstanding_tokens_ += s.remaining_tokens() - before;
    if (config_.policy == Policy::Static) continue;
    bool done = s.generated >= s.output_tokens;
    if (done || (emits && config_.hand_off_after_prefill)) {
      kv_.release(e.sequence);
      outstanding_tokens_ -= s.remaining_tokens();
      if (done) {
        s.finish_s = now;
        finished.push_back(e.sequence);
      } else {
        handed_off.push_back(e.sequence);
      }
      leaving = true;
    }
  }
  if (config_.policy == Policy::Static) {
    bool all_done = std::all_of(running_.begin(), running_.end(), [&](int64_t id) {
      const auto& s = seqs_[static_cast<size_t>(id)];
      return s.generated >= s.output_tokens;
    });
    if (all_done) {
      for (int64_t id : running_) {
        seqs_[static_cast<size_t>(id)].finish_s = now;
        kv_.release(id);
        finished.push_back(id);
      }
      running_.clear();
    }
    return;
  }
  if (leaving) {
    std::erase_if(running_, [&](int64_t id) {
      const auto& s = seqs_[static_cast<size_t>(id)];
      return s.generated >= s.output_tokens ||
             (config_.hand_off_after_prefill && s.kv_tokens == s.prefill_target);
    });
  }
}

}  // namespace kcsim::serving

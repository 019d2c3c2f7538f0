// What one serving replica runs next: its batch policy (batch_policy.hpp: static, continuous,
// chunked, ...) over a paged KV cache, and the bookkeeping every policy shares: queuing,
// completing an iteration (tokens emitted, sequences finished or handed off to a decode pool),
// and the KV accounting's check.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/serving/batch_policy.hpp"
#include "workloads/serving/scheduler_state.hpp"

namespace kcsim::serving {

class ReplicaScheduler {
 public:
  // Throws std::invalid_argument on an unknown policy or a budget below 1.
  ReplicaScheduler(const SchedulerConfig& config, KvBlockManager kv,
                   std::vector<SequenceState>& sequences);

  // False when the request could never fit in this replica's KV cache (it is then rejected).
  bool can_ever_hold(int64_t sequence) const;
  // Queues a sequence (new, or prefilled elsewhere). Call can_ever_hold first.
  void enqueue(int64_t sequence);

  bool has_work() const { return !state_.waiting.empty() || !state_.running.empty(); }
  // Forms the next iteration (allocating blocks and preempting as the policy says). Empty only
  // when there is no work.
  const Batch& next_batch();
  // The iteration ended at `now`: tokens emitted, sequences finished or handed off.
  void complete(double now, std::vector<int64_t>& finished, std::vector<int64_t>& handed_off);

  int64_t outstanding() const {
    return static_cast<int64_t>(state_.waiting.size() + state_.running.size());
  }
  int64_t outstanding_tokens() const { return state_.outstanding_tokens; }
  int64_t running() const { return static_cast<int64_t>(state_.running.size()); }
  int64_t preemptions() const { return state_.preemptions; }
  const KvBlockManager& kv() const { return state_.kv; }

  // The KV accounting, checked: blocks in use within the capacity, the blocks every running and
  // waiting sequence holds adding up to the blocks in use, each running sequence holding
  // exactly blocks_for the tokens it must hold now (after next_batch, those of the iteration
  // formed too) and each waiting one none. Throws std::logic_error naming what broke. Runs at
  // every next_batch and complete when the KV manager is checked (the tests' debug mode).
  void check() const;

 private:
  // Tokens `sequence`'s blocks must cover: its whole request under static batching (reserved
  // up front), else its KV plus `pending` new tokens, and at least its prompt (reserved at
  // admission).
  int64_t reserved_tokens(int64_t sequence, int64_t pending) const;
  void complete_batch(double now, std::vector<int64_t>& finished, std::vector<int64_t>& handed_off);

  const BatchPolicy* policy_;
  SchedulerState state_;
  bool batch_pending_ = false;  // state_.batch formed and not yet completed
};

}  // namespace kcsim::serving

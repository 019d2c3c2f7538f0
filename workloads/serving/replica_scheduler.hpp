// What one serving replica runs next: the batching policy over a paged KV cache.
//
// A sequence holds `kv_tokens` tokens of KV cache. Its prefill computes `prefill_target`
// tokens (the prompt; after a preemption the prompt plus what it had generated, recomputed as
// vLLM does) and emits one token; each decode step then feeds the last token and emits the
// next, until `output_tokens` have been emitted.
//
// - Static: a batch of up to max_batch requests, KV reserved for prompt + output, prefilled
//   together, then decoded until the longest is done (finished ones ride along as padding);
//   the next batch starts only then, and its requests are answered together at its end.
// - Continuous (vLLM): each iteration either prefills newly admitted prompts (admitted while
//   their prompt's blocks are free, up to prefill_token_budget tokens) or decodes every
//   running sequence; a decode that finds no free block preempts the youngest running sequence
//   (its blocks freed, its tokens recomputed later).
// - Chunked (Sarathi-Serve): each iteration has a budget of chunk_tokens tokens: every
//   decoding sequence's token first, then prompt chunks (continuing prefills, then new ones).
// - hand_off_after_prefill (the prefill pool of a disaggregated system): a prefilled sequence
//   leaves the replica, its blocks freed, to be decoded elsewhere; a sequence that arrives
//   already prefilled (the decode pool) only needs its blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "workloads/serving/kv_block_manager.hpp"

namespace kcsim::serving {

enum class Policy { Static, Continuous, Chunked };

struct SchedulerConfig {
  Policy policy = Policy::Continuous;
  int max_batch = 256;                  // running sequences (vLLM max_num_seqs)
  int64_t prefill_token_budget = 8192;  // continuous: prompt tokens per prefill iteration
  int64_t chunk_tokens = 512;           // chunked: tokens per iteration
  bool hand_off_after_prefill = false;
};

struct SequenceState {
  int64_t input_tokens = 1, output_tokens = 1;
  int64_t kv_tokens = 0;
  int64_t prefill_target = 0;
  int64_t generated = 0;
  double arrival_s = 0, first_token_s = -1, finish_s = -1;
  int preemptions = 0;
  int replica = -1;         // where it was routed (the prefill replica when disaggregated)
  int decode_replica = -1;  // disaggregated: where it was decoded
  bool rejected = false;
  int64_t remaining_tokens() const {
    int64_t prompt_left = prefill_target > kv_tokens ? prefill_target - kv_tokens : 0;
    return prompt_left + (output_tokens - generated);
  }
};

// One iteration's work: prompt chunks and decode steps. `context` counts the KV tokens the
// new tokens attend to once the step is done (themselves included).
struct BatchEntry {
  int64_t sequence = 0;
  int64_t new_tokens = 1;
  int64_t context = 1;
  bool prefill = false;
  bool padding = false;  // static batching: a finished sequence still computed
};

struct Batch {
  std::vector<BatchEntry> entries;
  int64_t prefill_tokens = 0;
  int64_t decode_sequences = 0;
  int64_t decode_context_sum = 0;
  bool empty() const { return entries.empty(); }
};

class ReplicaScheduler {
 public:
  ReplicaScheduler(const SchedulerConfig& config, KvBlockManager kv,
                   std::vector<SequenceState>& sequences);

  // False when the request could never fit in this replica's KV cache (it is then rejected).
  bool can_ever_hold(int64_t sequence) const;
  // Queues a sequence (new, or prefilled elsewhere). Call can_ever_hold first.
  void enqueue(int64_t sequence);

  bool has_work() const { return !waiting_.empty() || !running_.empty(); }
  // Forms the next iteration (allocating blocks and preempting as the policy says). Empty only
  // when there is no work.
  const Batch& next_batch();
  // The iteration ended at `now`: tokens emitted, sequences finished or handed off.
  void complete(double now, std::vector<int64_t>& finished, std::vector<int64_t>& handed_off);

  int64_t outstanding() const { return static_cast<int64_t>(waiting_.size() + running_.size()); }
  int64_t outstanding_tokens() const { return outstanding_tokens_; }
  int64_t running() const { return static_cast<int64_t>(running_.size()); }
  int64_t preemptions() const { return preemptions_; }
  const KvBlockManager& kv() const { return kv_; }

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
  void admit(int64_t sequence);
  bool add_decode(size_t index);  // false when it preempted itself
  void preempt_youngest();
  void remove_running(int64_t sequence);
  void static_batch();
  void continuous_batch();
  void chunked_batch();
  void complete_batch(double now, std::vector<int64_t>& finished, std::vector<int64_t>& handed_off);

  SchedulerConfig config_;
  KvBlockManager kv_;
  std::vector<SequenceState>& seqs_;
  std::deque<int64_t> waiting_;
  std::vector<int64_t> running_;  // in admission order: the youngest last
  Batch batch_;
  bool batch_pending_ = false;  // batch_ formed and not yet completed
  int64_t outstanding_tokens_ = 0;
  int64_t preemptions_ = 0;
};

}  // namespace kcsim::serving

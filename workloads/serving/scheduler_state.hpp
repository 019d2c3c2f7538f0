// What one serving replica's scheduler holds, as its batch policy (batch_policy.hpp) reads and
// changes it: the sequences, the queues, the paged KV cache and the iteration being formed.
//
// A sequence holds `kv_tokens` tokens of KV cache. Its prefill computes `prefill_target`
// tokens (the prompt; after a preemption the prompt plus what it had generated, recomputed as
// vLLM does) and emits one token; each decode step then feeds the last token and emits the
// next, until `output_tokens` have been emitted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "workloads/serving/kv_block_manager.hpp"

namespace kcsim::serving {

struct SchedulerConfig {
  std::string policy = "continuous";    // a batch policy's name (batch_policy.hpp)
  int max_batch = 256;                  // running sequences (vLLM max_num_seqs)
  int64_t prefill_token_budget = 8192;  // continuous: prompt tokens per prefill iteration
  int64_t chunk_tokens = 512;           // chunked: tokens per iteration
  // The prefill pool of a disaggregated system: a prefilled sequence leaves the replica, its
  // blocks freed, to be decoded elsewhere; a sequence that arrives already prefilled (the
  // decode pool) only needs its blocks.
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

struct SchedulerState {
  SchedulerState(const SchedulerConfig& c, KvBlockManager k, std::vector<SequenceState>& s)
      : config(c), kv(std::move(k)), seqs(s) {}

  SchedulerConfig config;
  KvBlockManager kv;
  std::vector<SequenceState>& seqs;
  std::deque<int64_t> waiting;
  std::vector<int64_t> running;  // in admission order: the youngest last
  Batch batch;                   // the iteration being formed
  int64_t outstanding_tokens = 0;
  int64_t preemptions = 0;

  SequenceState& seq(int64_t id) { return seqs[static_cast<size_t>(id)]; }
  const SequenceState& seq(int64_t id) const { return seqs[static_cast<size_t>(id)]; }
  bool full() const { return static_cast<int>(running.size()) >= config.max_batch; }

  // Moves the first waiting sequence to the running ones.
  void admit_first();
  // Adds running[index]'s next decode step to the batch, taking a block when it needs one and
  // preempting the youngest running sequences while none is free; false when it preempted
  // itself (the steps after it then cannot run either).
  bool add_decode(size_t index);
  // The youngest running sequence gives its blocks back and waits first in line, to recompute
  // its prompt and every token it had generated.
  void preempt_youngest();
};

}  // namespace kcsim::serving

// A paged KV cache (as vLLM's block manager): fixed-size blocks of `block_tokens` tokens, a
// sequence holding ceil(tokens / block_tokens) of them, growing as it decodes and returning
// them all when it finishes or is preempted.
#pragma once

#include <cstdint>
#include <vector>

namespace kcsim::serving {

class KvBlockManager {
 public:
  // `checked`: the debug mode the tests run in. The manager then verifies its bounds after every
  // change, and its scheduler checks the whole accounting at every step
  // (ReplicaScheduler::check).
  KvBlockManager(int64_t capacity_blocks, int64_t block_tokens, bool checked = false);

  int64_t blocks_for(int64_t tokens) const { return (tokens + block_tokens_ - 1) / block_tokens_; }
  // Blocks `sequence` would need beyond what it holds to hold `tokens` tokens.
  int64_t extra_blocks(int64_t sequence, int64_t tokens) const;
  bool can_hold(int64_t sequence, int64_t tokens) const {
    return extra_blocks(sequence, tokens) <= free_blocks();
  }
  // Grows `sequence` to hold `tokens` tokens; false (and nothing changes) when too few blocks
  // are free.
  bool grow(int64_t sequence, int64_t tokens);
  // Returns every block of `sequence`.
  void release(int64_t sequence);

  int64_t held(int64_t sequence) const;
  int64_t used_blocks() const { return used_; }
  int64_t free_blocks() const { return capacity_ - used_; }
  int64_t capacity_blocks() const { return capacity_; }
  int64_t block_tokens() const { return block_tokens_; }
  int64_t peak_used_blocks() const { return peak_; }
  bool checked() const { return checked_; }

  // Throws std::logic_error unless 0 <= blocks in use (and their peak) <= capacity.
  void check() const;

 private:
  int64_t capacity_, block_tokens_;
  bool checked_;
  int64_t used_ = 0, peak_ = 0;
  std::vector<int64_t> held_;  // by sequence id
};

}  // namespace kcsim::serving

#include "workloads/serving/kv_block_manager.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace kcsim::serving {

KvBlockManager::KvBlockManager(int64_t capacity_blocks, int64_t block_tokens, bool checked)
    : capacity_(capacity_blocks), block_tokens_(block_tokens), checked_(checked) {
  if (capacity_blocks < 0 || block_tokens < 1) {
    throw std::invalid_argument("KV cache: capacity must be >= 0 blocks and blocks >= 1 token");
  }
}

int64_t KvBlockManager::held(int64_t sequence) const {
  auto i = static_cast<size_t>(sequence);
  return i < held_.size() ? held_[i] : 0;
}

int64_t KvBlockManager::extra_blocks(int64_t sequence, int64_t tokens) const {
  return std::max<int64_t>(0, blocks_for(tokens) - held(sequence));
}

bool KvBlockManager::grow(int64_t sequence, int64_t tokens) {
  int64_t extra = extra_blocks(sequence, tokens);
  if (extra == 0) return true;
  if (extra > free_blocks()) return false;
  auto i = static_cast<size_t>(sequence);
  if (i >= held_.size()) held_.resize(std::max(i + 1, held_.size() * 2), 0);
  held_[i] += extra;
  used_ += extra;
  peak_ = std::max(peak_, used_);
  if (checked_) check();
  return true;
}

void KvBlockManager::release(int64_t sequence) {
  auto i = static_cast<size_t>(sequence);
  if (i >= held_.size()) return;
  used_ -= held_[i];
  held_[i] = 0;
  if (checked_) check();
}

void KvBlockManager::check() const {
  if (used_ < 0 || used_ > capacity_ || peak_ > capacity_) {
    throw std::logic_error("KV cache: " + std::to_string(used_) + " blocks in use (peak " +
                           std::to_string(peak_) + ") of " + std::to_string(capacity_));
  }
}

}  // namespace kcsim::serving

#include "workloads/serving/scheduler_state.hpp"

namespace kcsim::serving {

void SchedulerState::admit_first() {
  running.push_back(waiting.front());
  waiting.pop_front();
}

void SchedulerState::preempt_youngest() {
  int64_t victim = running.back();
  running.pop_back();
  auto& s = seq(victim);
  int64_t before = s.remaining_tokens();
  kv.release(victim);
  s.kv_tokens = 0;
  s.prefill_target = s.input_tokens + s.generated;
  outstanding_tokens += s.remaining_tokens() - before;
  ++s.preemptions;
  ++preemptions;
  waiting.push_front(victim);
}

bool SchedulerState::add_decode(size_t index) {
  int64_t id = running[index];
  auto& s = seq(id);
  while (!kv.grow(id, s.kv_tokens + 1)) {
    bool self = running.size() == index + 1;
    preempt_youngest();
    if (self) return false;
  }
  int64_t context = s.kv_tokens + 1;
  batch.entries.push_back({id, 1, context, false, false});
  ++batch.decode_sequences;
  batch.decode_context_sum += context;
  return true;
}

}  // namespace kcsim::serving

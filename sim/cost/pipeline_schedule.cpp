#include "sim/cost/pipeline_schedule.hpp"

#include <algorithm>

namespace kcsim {
namespace {

// The k-th forward (or backward) of an interleaved stage: micro-batches go in groups of
// `stages`, each group through every chunk (backwards through the chunks in reverse).
PipelineStep interleaved_step(int k, bool forward, int stages, int chunks) {
  int group = k / (stages * chunks);
  int chunk = k / stages % chunks;
  if (!forward) chunk = chunks - 1 - chunk;
  return {forward, group * stages + k % stages, chunk};
}

}  // namespace

std::vector<PipelineStep> pipeline_schedule(int stage, int stages, int chunks, int micro_batches) {
  std::vector<PipelineStep> steps;
  int total = micro_batches * chunks;
  steps.reserve(2 * total);
  int warmup = chunks == 1 ? stages - stage - 1 : 2 * (stages - stage - 1) + (chunks - 1) * stages;
  warmup = std::min(warmup, total);
  auto forward = [&](int k) {
    steps.push_back(chunks == 1 ? PipelineStep{true, k, 0} : interleaved_step(k, true, stages, chunks));
  };
  auto backward = [&](int k) {
    steps.push_back(chunks == 1 ? PipelineStep{false, k, 0}
                                : interleaved_step(k, false, stages, chunks));
  };
  for (int k = 0; k < warmup; ++k) forward(k);
  for (int k = 0; k < total - warmup; ++k) {
    forward(warmup + k);
    backward(k);
  }
  for (int k = total - warmup; k < total; ++k) backward(k);
  return steps;
}

}  // namespace kcsim

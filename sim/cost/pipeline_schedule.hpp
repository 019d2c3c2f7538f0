// The order in which a pipeline stage runs its forward and backward passes in one iteration:
// 1F1B (PipeDream-Flush, as Megatron-LM runs it) and its interleaved form with several model
// chunks per device. Engine-agnostic: the event engine and trace exporters read it.
#pragma once

#include <vector>

namespace kcsim {

struct PipelineStep {
  bool forward = true;
  int micro_batch = 0;
  int chunk = 0;  // model chunk on this device: virtual stage = chunk * stages + stage
};

// Every (micro-batch, chunk) once forward and once backward, each backward after its forward.
// 1F1B (chunks == 1): stages - stage - 1 warm-up forwards, then one forward and one backward
// at a time, then the remaining backwards. Interleaved (chunks > 1, micro_batches a multiple of
// stages): Megatron-LM's order, 2 (stages - stage - 1) + (chunks - 1) stages warm-up forwards.
std::vector<PipelineStep> pipeline_schedule(int stage, int stages, int chunks, int micro_batches);

}  // namespace kcsim

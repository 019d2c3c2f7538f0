// The software stack a job runs on, resolved: its catalog profile (configs/runtimes/) with the
// job's own runtime fields over it, and the figures that depend on the chip worked out.
#pragma once

#include <cstdint>
#include <string>

#include "configs/loader/catalog.hpp"
#include "hw-models/chip_model.hpp"
#include "hw-models/op_cost.hpp"
#include "sim/cost/collectives.hpp"
#include "sim/cost/job_origin.hpp"
#include "workload.pb.h"

namespace kcsim {

// The profiles a job runs when its runtime names none.
inline constexpr const char* kDefaultServingRuntime = "vllm";
inline constexpr const char* kDefaultTrainingRuntime = "megatron-lm";

struct RuntimeSpec {
  std::string name;             // the stack, for reports: the profile, or the block's own name
  double dispatch_us = 0;       // host time per op on the reference host
  double step_overhead_us = 0;  // host time per serving iteration on the reference host
  double gemm_efficiency_scale = 1;
  double kernel_gap_us = -1;       // negative: the chip's op_overhead_us
  double collective_floor_us = 0;  // least time of one tensor-parallel collective
  double collective_half_kib = 0;  // all-reduce size at half the large-message bandwidth
  double sampling_us = 0;          // device time per serving iteration for sampling
  int max_running_sequences = 256;
  int64_t max_batched_tokens = 8192;
  bool low_precision_attention = false;
  bool quantize_activations = true;
  bool pipeline_scatter_gather = false;  // training: pipeline sends split over the TP ranks
  bool tp_backward_overlap = false;      // training: backward TP collectives beside the GEMMs
  CollectiveProtocol collectives;        // how the library cuts its rings (NCCL by default)

  // How ops are issued at `state` on a host `host_speed` times the reference one, for work in
  // `dtype`: attention in 16 bits when `dtype` is an 8-bit format and the stack has no 8-bit
  // attention kernels.
  Execution execution(const ChipModel& chip, const DvfsPoint& state, double host_speed,
                      Dtype dtype) const;
  double collective_floor_s(double host_speed) const;
};

// The catalog profile `name` over the profile it names as its base, and so on (InputError at
// the origin's runtime.profile for an unknown name or a loop).
config::Runtime runtime_profile(const std::string& name, const config::Catalog& catalog,
                                const JobOrigin& origin = {});

// The runtime's fields as a job gives them, with nothing resolved (no profile, no chip): the
// proto's defaults for what the block leaves out.
RuntimeSpec runtime_spec(const config::Runtime& runtime);

// The job's runtime block over the profile it names (`default_profile` when it names none),
// for a job on `chip` (the profile's settings for the chip's kind, the chip it is a variant of
// and the chip itself, unless the block sets the figure). Throws InputError at the block's
// fields.
RuntimeSpec resolve_runtime(const config::Runtime& job_runtime, const std::string& default_profile,
                            const ChipModel& chip, const config::Catalog& catalog,
                            const JobOrigin& origin);

}  // namespace kcsim

#include "sim/cost/training_spec.hpp"

#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "hw-models/dvfs.hpp"

namespace kcsim {
namespace {

std::vector<int64_t> divisors(int64_t n, int64_t limit) {
  std::vector<int64_t> result;
  for (int64_t d = 1; d <= n && d <= limit; ++d) {
    if (n % d == 0) result.push_back(d);
  }
  return result;
}

void require_positive(int64_t value, const char* field) {
  if (value <= 0) {
    throw InputError(fmt::format("training: {}: must be positive (got {})", field, value));
  }
}

RecomputeMode recompute_mode(config::Recompute r) {
  switch (r) {
    case config::NONE:
      return RecomputeMode::None;
    case config::FULL:
      return RecomputeMode::Full;
    default:
      return RecomputeMode::Selective;
  }
}

}  // namespace

const char* recompute_name(RecomputeMode mode) {
  switch (mode) {
    case RecomputeMode::None:
      return "none";
    case RecomputeMode::Selective:
      return "selective";
    case RecomputeMode::Full:
      return "full";
  }
  return "selective";
}

TrainingSpec make_training_spec(const config::TrainingJob& job, const ModelShape& model,
                                int cluster_devices) {
  const auto& plan = job.plan();
  TrainingSpec spec;
  spec.model = model;
  spec.dtype = job.dtype();
  spec.flash_attention = job.flash_attention();
  spec.grad_bucket_bytes = job.grad_bucket_mb() * 1e6;
  spec.runtime = runtime_spec(job.runtime());
  auto algorithm = Algorithm::parse(job.collective_algorithm());
  if (!algorithm) {
    throw InputError(fmt::format("training: collective_algorithm: \"{}\" is not one of {}",
                                 job.collective_algorithm(), algorithm_names()));
  }
  spec.algorithm = *algorithm;
  spec.global_batch = job.global_batch();
  spec.device_power_cap_w = job.device_power_cap_w();
  spec.clock_mhz = job.device_clock_mhz();
  spec.whole_servers = job.charge_whole_servers();
  check_device_power_settings("training", spec.device_power_cap_w, spec.clock_mhz);

  auto& s = spec.setup;
  s.tp = plan.tp();
  s.pp = plan.pp();
  s.ep = plan.ep();
  s.virtual_stages = plan.virtual_stages();
  s.sequence_parallel = plan.sequence_parallel();
  s.zero_stage = plan.zero_stage();
  s.recompute = recompute_mode(plan.recompute());
  s.micro_batch = job.micro_batch();
  s.seq_len = job.seq_len();
  s.weight_bytes =
      dtype_bytes(spec.dtype) < 2 ? 2 : dtype_bytes(spec.dtype);  // master copy in fp32
  s.act_bytes = s.weight_bytes;
  s.flash_attention = spec.flash_attention;

  require_positive(s.tp, "plan.tp");
  require_positive(s.pp, "plan.pp");
  require_positive(s.ep, "plan.ep");
  require_positive(s.virtual_stages, "plan.virtual_stages");
  require_positive(s.micro_batch, "micro_batch");
  require_positive(s.seq_len, "seq_len");
  require_positive(spec.global_batch, "global_batch");
  if (s.zero_stage < 0 || s.zero_stage > 3) {
    throw InputError(
        fmt::format("training: plan.zero_stage: must be 0, 1, 2 or 3 (got {})", s.zero_stage));
  }
  int devices = job.devices() > 0 ? job.devices() : cluster_devices;
  if (plan.dp() > 0) {
    s.dp = plan.dp();
  } else {
    const int64_t group = int64_t{s.tp} * s.pp;
    if (devices % group != 0) {
      throw InfeasibleError(fmt::format(
          "{} devices do not split into tp {} x pp {} groups; use a device count that is a "
          "multiple of {}, or set dp",
          devices, s.tp, s.pp, group));
    }
    s.dp = static_cast<int>(devices / group);
  }
  if (spec.plan_devices() > std::numeric_limits<int>::max()) {
    throw InfeasibleError(
        fmt::format("the plan needs tp {} x pp {} x dp {} = {} devices, more "
                    "than any cluster holds",
                    s.tp, s.pp, s.dp, spec.plan_devices()));
  }
  s.micro_batches = spec.global_batch / (s.dp * s.micro_batch);
  return spec;
}

void check_training_plan(const TrainingSpec& spec, const ClusterModel& cluster) {
  const auto& m = spec.model;
  const auto& s = spec.setup;
  cluster.chip.require_trains();
  cluster.chip.peak_ops_per_s(spec.dtype);  // throws when the chip lacks the dtype
  check_cap_feasible(cluster.chip, "training", spec.device_power_cap_w, spec.clock_mhz);

  if (m.heads % s.tp != 0) {
    throw InfeasibleError(
        fmt::format("tp {} does not divide the {} attention heads of {}; tp values that do: {}",
                    s.tp, m.heads, m.name, fmt::join(divisors(m.heads, cluster.devices()), ", ")));
  }
  if (s.tp > m.kv_heads && s.tp % m.kv_heads != 0) {
    throw InfeasibleError(
        fmt::format("tp {} neither divides nor is a multiple of the {} KV heads of {}", s.tp,
                    m.kv_heads, m.name));
  }
  if (m.layers % (s.pp * s.virtual_stages) != 0) {
    throw InfeasibleError(fmt::format(
        "pp {} x virtual stages {} does not divide the {} layers of {}; pp values that do: {}",
        s.pp, s.virtual_stages, m.layers, m.name, fmt::join(divisors(m.layers, 128), ", ")));
  }
  if (s.dp < 1 || spec.global_batch % (s.dp * s.micro_batch) != 0) {
    throw InfeasibleError(fmt::format(
        "global batch {} does not split over dp {} x micro-batch {}; it must be a multiple of {}",
        spec.global_batch, s.dp, s.micro_batch, s.dp * s.micro_batch));
  }
  if (s.virtual_stages > 1 && s.micro_batches % s.pp != 0) {
    throw InfeasibleError(
        fmt::format("the interleaved schedule needs micro-batches ({}) to be a multiple of pp ({})",
                    s.micro_batches, s.pp));
  }
  if (m.is_moe() && (m.experts % s.ep != 0 || s.dp % s.ep != 0)) {
    throw InfeasibleError(fmt::format("ep {} must divide the {} experts of {} and dp {}", s.ep,
                                      m.experts, m.name, s.dp));
  }
  if (spec.plan_devices() > cluster.devices()) {
    throw InfeasibleError(
        fmt::format("the plan needs tp {} x pp {} x dp {} = {} devices; cluster {} has {}", s.tp,
                    s.pp, s.dp, spec.devices(), cluster.name, cluster.devices()));
  }
}

}  // namespace kcsim

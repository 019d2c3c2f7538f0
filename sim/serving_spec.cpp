#include "sim/serving_spec.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

double needed_bytes(const ServingSpec& spec, int tp) {
  double tokens = static_cast<double>(spec.batch_size) * (spec.prompt_tokens + spec.output_tokens);
  return serving_weight_bytes_per_device(spec.model, spec.dtype, tp) +
         tokens * serving_kv_bytes_per_token_per_device(spec.model, spec.kv_dtype, tp) +
         serving_workspace_bytes();
}

double usable_bytes(const ServingSpec& spec, const ClusterModel& cluster) {
  return spec.memory_utilization * cluster.chip.memory_capacity_bytes();
}

bool tp_valid(const ModelShape& model, int tp) {
  return model.heads % tp == 0 && (tp <= model.kv_heads ? model.kv_heads % tp == 0
                                                        : tp % model.kv_heads == 0);
}

// The smallest valid tp (up to the cluster's size) whose replica fits; 0 when none does.
int smallest_fitting_tp(const ServingSpec& spec, const ClusterModel& cluster) {
  for (int tp = 1; tp <= cluster.devices(); ++tp) {
    if (tp_valid(spec.model, tp) && needed_bytes(spec, tp) <= usable_bytes(spec, cluster)) {
      return tp;
    }
  }
  return 0;
}

}  // namespace

double serving_weight_bytes_per_device(const ModelShape& model, Dtype dtype, int tp) {
  return parameter_count(model) * dtype_bytes(dtype) / tp;
}

double serving_kv_bytes_per_token_per_device(const ModelShape& model, Dtype kv_dtype, int tp) {
  double heads = std::max(1.0, static_cast<double>(model.kv_heads) / tp);
  return 2.0 * model.layers * heads * model.head_dim * dtype_bytes(kv_dtype);
}

double serving_workspace_bytes() { return 1.0 * kGiB; }

ServingSpec make_serving_spec(const config::ServingJob& job, const ModelShape& model,
                              const ClusterModel& cluster) {
  ServingSpec spec;
  spec.model = model;
  spec.dtype = job.dtype();
  spec.kv_dtype = job.has_kv_dtype() ? job.kv_dtype() : job.dtype();
  spec.batch_size = job.batch_size();
  spec.prompt_tokens = job.prompt_tokens();
  spec.output_tokens = job.output_tokens();
  spec.flash_attention = job.flash_attention();
  spec.memory_utilization = job.memory_utilization();
  spec.dispatch_us = job.runtime().dispatch_us();
  spec.gemm_efficiency_scale = job.runtime().gemm_efficiency_scale();
  spec.step_overhead_us = job.runtime().step_overhead_us();
  spec.device_power_cap_w = job.device_power_cap_w();
  if (spec.device_power_cap_w < 0) {
    throw InputError(fmt::format("serving: device_power_cap_w: must not be negative (got {})",
                                 spec.device_power_cap_w));
  }
  if (spec.batch_size <= 0 || spec.prompt_tokens <= 0 || spec.output_tokens <= 0) {
    throw InputError(fmt::format(
        "serving: batch_size, prompt_tokens, output_tokens: must be positive (got {}, {}, {})",
        spec.batch_size, spec.prompt_tokens, spec.output_tokens));
  }
  if (!(spec.memory_utilization > 0 && spec.memory_utilization <= 1)) {
    throw InputError(fmt::format("serving: memory_utilization: must lie in (0, 1] (got {})",
                                 spec.memory_utilization));
  }
  if (job.tp() > 0) {
    spec.tp = job.tp();
  } else {
    spec.tp = smallest_fitting_tp(spec, cluster);
    if (spec.tp == 0) spec.tp = std::max(1, std::min<int>(cluster.devices(), 8));
  }
  if (job.tp() < 0) {
    throw InputError(fmt::format("serving: tp: must be positive (got {})", job.tp()));
  }
  spec.replicas = job.replicas() > 0 ? job.replicas() : std::max(1, cluster.devices() / spec.tp);
  return spec;
}

void check_serving_plan(const ServingSpec& spec, const ClusterModel& cluster) {
  const auto& m = spec.model;
  cluster.chip.peak_ops_per_s(spec.dtype);  // throws when the chip lacks the dtype
  if (!tp_valid(m, spec.tp)) {
    std::vector<int> valid;
    for (int tp = 1; tp <= std::min<int>(m.heads, cluster.devices()); ++tp) {
      if (tp_valid(m, tp)) valid.push_back(tp);
    }
    throw InfeasibleError(fmt::format(
        "tp {} does not divide the {} attention heads ({} KV heads) of {}; tp values that do: {}",
        spec.tp, m.heads, m.kv_heads, m.name, fmt::join(valid, ", ")));
  }
  if (spec.tp * spec.replicas > cluster.devices()) {
    throw InfeasibleError(fmt::format(
        "{} replicas of tp {} need {} devices; cluster {} has {}", spec.replicas, spec.tp,
        spec.tp * spec.replicas, cluster.name, cluster.devices()));
  }
  double need = needed_bytes(spec, spec.tp);
  double have = usable_bytes(spec, cluster);
  if (need > have) {
    int fits = smallest_fitting_tp(spec, cluster);
    std::string advice =
        fits > 0 ? fmt::format("tp {} would fit", fits)
                 : fmt::format("no tp up to the cluster's {} devices fits; a smaller batch, "
                               "shorter sequences or a narrower dtype might",
                               cluster.devices());
    throw InfeasibleError(fmt::format(
        "{} at tp {} needs {:.1f} GiB per device (weights {:.1f}, KV cache {:.1f} for batch {} x "
        "{} tokens, workspace {:.1f}) but {} offers {:.1f} GiB ({:.0f} % of {:.1f}); {}",
        m.name, spec.tp, need / kGiB,
        serving_weight_bytes_per_device(m, spec.dtype, spec.tp) / kGiB,
        (need - serving_weight_bytes_per_device(m, spec.dtype, spec.tp) -
         serving_workspace_bytes()) / kGiB,
        spec.batch_size, spec.prompt_tokens + spec.output_tokens,
        serving_workspace_bytes() / kGiB, cluster.chip.name(), have / kGiB,
        spec.memory_utilization * 100, cluster.chip.memory_capacity_bytes() / kGiB, advice));
  }
}

}  // namespace kcsim

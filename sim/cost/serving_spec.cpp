#include "sim/cost/serving_spec.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "hw-models/dvfs.hpp"

namespace kcsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// On the heaviest stage's devices.
double needed_bytes(const ServingSpec& spec, int tp) {
  double tokens = static_cast<double>(spec.batch_size) * (spec.prompt_tokens + spec.output_tokens);
  return serving_weight_bytes_per_device(spec.model, spec.dtype, tp, spec.pp) +
         tokens * serving_kv_bytes_per_token_per_device(spec.model, spec.kv_dtype, tp, spec.pp) +
         serving_workspace_bytes();
}

double usable_bytes(const ServingSpec& spec, const ClusterModel& cluster) {
  return spec.memory_utilization * cluster.chip.memory_capacity_bytes();
}

bool tp_valid(const ModelShape& model, int tp) {
  return model.heads % tp == 0 &&
         (tp <= model.kv_heads ? model.kv_heads % tp == 0 : tp % model.kv_heads == 0);
}

bool pp_valid(const ModelShape& model, int pp) { return pp >= 1 && model.layers % pp == 0; }

// The smallest valid tp (tp x pp up to the cluster's size) whose replica fits; 0 when none does.
int smallest_fitting_tp(const ServingSpec& spec, const ClusterModel& cluster) {
  for (int tp = 1; tp * spec.pp <= cluster.devices(); ++tp) {
    if (tp_valid(spec.model, tp) && needed_bytes(spec, tp) <= usable_bytes(spec, cluster)) {
      return tp;
    }
  }
  return 0;
}

// The smallest pp dividing the layers (tp x pp up to the cluster's size) at which the job's tp
// fits; 0 when none does.
int smallest_fitting_pp(const ServingSpec& spec, const ClusterModel& cluster) {
  ServingSpec staged = spec;
  for (int pp = 1; spec.tp * pp <= cluster.devices() && pp <= spec.model.layers; ++pp) {
    staged.pp = pp;
    if (pp_valid(spec.model, pp) && needed_bytes(staged, spec.tp) <= usable_bytes(spec, cluster)) {
      return pp;
    }
  }
  return 0;
}

}  // namespace

double serving_stage_weight_bytes_per_device(const ModelShape& model, Dtype dtype, int tp, int pp,
                                             int stage) {
  double params = static_cast<double>(model.layers) / pp * layer_parameters(model);
  if (pp == 1) {
    params += non_layer_parameters(model);
  } else {
    double table = static_cast<double>(model.vocab) * model.hidden;
    double positions = model.learned_positions ? static_cast<double>(model.max_seq_len) : 0.0;
    double first = table + positions * model.hidden;
    // The final norm and the head: the rest of the non-layer parameters, the table again if tied.
    double last = non_layer_parameters(model) - first + (model.tied_embeddings ? table : 0.0);
    if (stage == 0) params += first;
    if (stage == pp - 1) params += last;
  }
  return params * dtype_bytes(dtype) / tp;
}

double serving_weight_bytes_per_device(const ModelShape& model, Dtype dtype, int tp, int pp) {
  double heaviest = 0;
  for (int stage = 0; stage < pp; ++stage) {
    heaviest =
        std::max(heaviest, serving_stage_weight_bytes_per_device(model, dtype, tp, pp, stage));
  }
  return heaviest;
}

double serving_kv_bytes_per_token_per_device(const ModelShape& model, Dtype kv_dtype, int tp,
                                             int pp) {
  double heads = std::max(1.0, static_cast<double>(model.kv_heads) / tp);
  double layers = static_cast<double>(model.layers) / pp;
  return 2.0 * layers * heads * model.head_dim * dtype_bytes(kv_dtype);
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
  spec.runtime = runtime_spec(job.runtime());
  spec.device_power_cap_w = job.device_power_cap_w();
  spec.clock_mhz = job.device_clock_mhz();
  spec.whole_servers = job.charge_whole_servers();
  spec.pp = job.pp();
  if (spec.pp < 1) throw InputError(fmt::format("serving: pp: must be positive (got {})", spec.pp));
  check_device_power_settings("serving", spec.device_power_cap_w, spec.clock_mhz);
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
    if (spec.tp == 0) spec.tp = std::max(1, std::min<int>(cluster.devices() / spec.pp, 8));
  }
  if (job.tp() < 0) {
    throw InputError(fmt::format("serving: tp: must be positive (got {})", job.tp()));
  }
  spec.replicas =
      job.replicas() > 0 ? job.replicas() : std::max(1, cluster.devices() / (spec.tp * spec.pp));
  return spec;
}

void check_serving_plan(const ServingSpec& spec, const ClusterModel& cluster) {
  const auto& m = spec.model;
  cluster.chip.peak_ops_per_s(spec.dtype);  // throws when the chip lacks the dtype
  check_cap_feasible(cluster.chip, "serving", spec.device_power_cap_w, spec.clock_mhz);
  if (!tp_valid(m, spec.tp)) {
    std::vector<int> valid;
    for (int tp = 1; tp <= std::min<int>(m.heads, cluster.devices()); ++tp) {
      if (tp_valid(m, tp)) valid.push_back(tp);
    }
    throw InfeasibleError(fmt::format(
        "tp {} does not divide the {} attention heads ({} KV heads) of {}; tp values that do: {}",
        spec.tp, m.heads, m.kv_heads, m.name, fmt::join(valid, ", ")));
  }
  if (!pp_valid(m, spec.pp)) {
    std::vector<int> valid;
    for (int pp = 1; pp <= m.layers; ++pp) {
      if (pp_valid(m, pp)) valid.push_back(pp);
    }
    throw InfeasibleError(fmt::format(
        "pp {} does not divide the {} layers of {} into equal stages; pp values that do: {}",
        spec.pp, m.layers, m.name, fmt::join(valid, ", ")));
  }
  int per_replica = spec.tp * spec.pp;
  if (per_replica * spec.replicas > cluster.devices()) {
    std::string shape = spec.pp > 1 ? fmt::format("tp {} x pp {}", spec.tp, spec.pp)
                                    : fmt::format("tp {}", spec.tp);
    throw InfeasibleError(fmt::format("{} replicas of {} need {} devices; cluster {} has {}",
                                      spec.replicas, shape, per_replica * spec.replicas,
                                      cluster.name, cluster.devices()));
  }
  double need = needed_bytes(spec, spec.tp);
  double have = usable_bytes(spec, cluster);
  if (need > have) {
    int fits = smallest_fitting_tp(spec, cluster);
    int fits_pp = smallest_fitting_pp(spec, cluster);
    std::string advice = fits > 0
                             ? fmt::format("tp {} would fit", fits)
                             : fmt::format("no tp up to the cluster's {} devices fits at pp {}",
                                           cluster.devices(), spec.pp);
    if (fits_pp > 0) {
      advice += fmt::format(", {}pp {} at tp {} would", fits > 0 ? "or " : "; ", fits_pp, spec.tp);
    }
    if (fits == 0 && fits_pp == 0) {
      advice += "; a smaller batch, shorter sequences or a narrower dtype might";
    }
    std::string shape = spec.pp > 1 ? fmt::format("tp {} x pp {}", spec.tp, spec.pp)
                                    : fmt::format("tp {}", spec.tp);
    double weights = serving_weight_bytes_per_device(m, spec.dtype, spec.tp, spec.pp);
    throw InfeasibleError(fmt::format(
        "{} at {} needs {:.1f} GiB per device (weights {:.1f}, KV cache {:.1f} for batch {} x "
        "{} tokens, workspace {:.1f}) but {} offers {:.1f} GiB ({:.0f} % of {:.1f}); {}",
        m.name, shape, need / kGiB, weights / kGiB,
        (need - weights - serving_workspace_bytes()) / kGiB, spec.batch_size,
        spec.prompt_tokens + spec.output_tokens, serving_workspace_bytes() / kGiB,
        cluster.chip.name(), have / kGiB, spec.memory_utilization * 100,
        cluster.chip.memory_capacity_bytes() / kGiB, advice));
  }
}

}  // namespace kcsim

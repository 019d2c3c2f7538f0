#include "sim/jobs/plan_search.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/run_control.hpp"
#include "sim/engines/analytical/analytical_training.hpp"

namespace kcsim {
namespace {

std::string plan_summary(const TrainingResult& r) {
  return fmt::format("tp {} pp {} dp {} recompute {} ZeRO {}{} ({:.1f} GiB, {:.3f} s/iteration)",
                     r.tp, r.pp, r.dp, r.recompute, r.zero_stage,
                     r.sequence_parallel ? " sequence-parallel" : "", r.memory.total_gib,
                     r.iteration_time_s);
}

bool fits(const TrainingResult& r) { return r.memory.total_gib <= r.memory.capacity_gib; }

// The largest dp that uses at most `devices` devices and splits the batch evenly.
int largest_dp(int devices, int group, int64_t batch, int64_t micro_batch) {
  for (int dp = devices / group; dp >= 1; --dp) {
    if (batch % (dp * micro_batch) == 0) return dp;
  }
  return 0;
}

}  // namespace

std::vector<PlannedTraining> fitting_plans(const ClusterModel& cluster, const TrainingSpec& base,
                                           size_t limit) {
  const auto& m = base.model;
  const int devices = std::min(base.devices(), cluster.devices());
  std::vector<PlannedTraining> found;
  for (int tp = 1; tp <= std::min<int64_t>(m.heads, cluster.tiers.devices_per_node); tp *= 2) {
    for (int pp = 1; pp <= m.layers && int64_t{tp} * pp <= devices; ++pp) {
      throw_if_interrupted();
      if (m.layers % pp != 0) continue;
      const int dp = largest_dp(devices, tp * pp, base.global_batch, base.setup.micro_batch);
      if (dp == 0) continue;
      for (auto recompute : {RecomputeMode::Selective, RecomputeMode::Full}) {
        for (int zero : {base.setup.zero_stage, 3}) {
          // ZeRO shards over dp: with one replica, or when asked for already, one variant is all.
          if (zero == 3 && (dp == 1 || base.setup.zero_stage == 3)) continue;
          TrainingSpec spec = base;
          spec.setup.tp = tp;
          spec.setup.pp = pp;
          spec.setup.dp = dp;
          spec.setup.virtual_stages = 1;
          spec.setup.sequence_parallel = tp > 1;
          spec.setup.recompute = recompute;
          spec.setup.zero_stage = zero;
          spec.setup.micro_batches = spec.global_batch / (dp * spec.setup.micro_batch);
          try {
            check_training_plan(spec, cluster);
          } catch (const InfeasibleError&) {
            continue;
          }
          TrainingResult r = simulate_training_analytical(cluster, spec);
          if (fits(r)) found.push_back({std::move(spec), std::move(r)});
        }
      }
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.result.iteration_time_s < b.result.iteration_time_s;
  });
  if (found.size() > limit) found.resize(limit);
  return found;
}

std::vector<TrainingResult> fitting_training_plans(const ClusterModel& cluster,
                                                   const TrainingSpec& base, size_t limit) {
  std::vector<TrainingResult> results;
  for (auto& plan : fitting_plans(cluster, base, limit)) results.push_back(std::move(plan.result));
  return results;
}

TrainingResult run_training(const ClusterModel& cluster, const TrainingSpec& spec) {
  check_training_plan(spec, cluster);
  TrainingResult r = simulate_training_analytical(cluster, spec);
  if (fits(r)) return r;

  std::string advice = "no plan on this cluster fits; more devices or a chip with more memory "
                       "would be needed";
  auto alternatives = fitting_training_plans(cluster, spec, 3);
  if (!alternatives.empty()) {
    advice = "plans that fit:";
    for (const auto& alt : alternatives) advice += "\n  " + plan_summary(alt);
  }
  const auto& mem = r.memory;
  throw InfeasibleError(fmt::format(
      "{} does not fit on {}: tp {} pp {} dp {} needs {:.1f} GiB per device (weights {:.1f}, "
      "gradients {:.1f}, optimizer {:.1f}, activations {:.1f}, workspace {:.1f}) but the chip "
      "has {:.1f} GiB; {}",
      r.model, r.chip, r.tp, r.pp, r.dp, mem.total_gib, mem.weights_gib, mem.gradients_gib,
      mem.optimizer_gib, mem.activations_gib, mem.workspace_gib, mem.capacity_gib, advice));
}

PlannedTraining run_training_auto(const ClusterModel& cluster, const TrainingSpec& base) {
  // Neither an inference chip nor a dtype the chip lacks is a search problem.
  cluster.chip.require_trains();
  cluster.chip.peak_ops_per_s(base.dtype);
  auto plans = fitting_plans(cluster, base, 1);
  if (plans.empty()) {
    throw InfeasibleError(fmt::format(
        "no tp x pp x dp plan of {} on {} devices of {} fits in {:.1f} GiB per device with "
        "global batch {}; more devices or a chip with more memory would be needed",
        base.model.name, cluster.devices(), cluster.chip.name(),
        cluster.chip.memory_capacity_bytes() / (1024.0 * 1024 * 1024), base.global_batch));
  }
  return plans.front();
}

}  // namespace kcsim

#include "sim/analytical_training.hpp"

#include <algorithm>

#include "sim/training_costs.hpp"

namespace kcsim {
namespace {

double collective_s(const CollectiveCost& c, const ClusterModel& cluster, double efficiency,
                    Algorithm algorithm) {
  if (c.count == 0) return 0;
  return c.count * collective_time_s(c.kind, c.bytes, c.group, cluster.tiers, efficiency,
                                     algorithm);
}

}  // namespace

TrainingResult simulate_training_analytical(const ClusterModel& cluster, const TrainingSpec& spec) {
  const auto& s = spec.setup;
  const TrainingCosts c = training_costs(cluster, spec);
  const double eff = c.efficiency;
  const double microbatches = static_cast<double>(s.micro_batches);
  const int stages = static_cast<int>(s.pp);

  // One micro-batch through the busiest stage.
  double per_mb_compute = 0, per_mb_recompute = c.layers_per_stage * c.layer_recompute.time_s;
  for (int stage : {0, stages - 1}) {
    per_mb_compute = std::max(per_mb_compute, c.chunk_fwd_s(stage, stages) +
                                                  c.chunk_bwd_s(stage, stages) - per_mb_recompute);
  }
  double per_mb_tp = collective_s(c.tp_fwd, cluster, eff, c.algorithm) +
                     collective_s(c.tp_bwd, cluster, eff, c.algorithm);
  double per_mb_ep = collective_s(c.ep_fwd, cluster, eff, c.algorithm) +
                     collective_s(c.ep_bwd, cluster, eff, c.algorithm);
  double per_mb_pp = 0;
  if (s.pp > 1) {
    const auto& tier = c.pp_inside_node ? cluster.tiers.intra_node : cluster.tiers.scale_out;
    per_mb_pp = 2.0 * s.virtual_stages * ring_time_s(Collective::SendRecv, c.pp_bytes, 2, tier, eff);
  }
  double per_mb = per_mb_compute + per_mb_recompute + per_mb_tp + per_mb_ep + per_mb_pp;
  double bubble_s = static_cast<double>(s.pp - 1) / s.virtual_stages * per_mb;

  // Gradients reduce in buckets as the last backward runs: all but the last bucket can hide
  // behind it, the last one cannot.
  double dp_total_s = collective_s(c.dp_grads, cluster, eff, c.algorithm) +
                      collective_s(c.dp_weights, cluster, eff, c.algorithm);
  double backward_s = c.layers_per_stage * (c.layer_bwd.time_s + c.layer_recompute.time_s);
  double last_bucket_s = dp_total_s / c.grad_buckets;
  double dp_exposed_s = std::max(0.0, dp_total_s - last_bucket_s - backward_s) + last_bucket_s;

  TrainingResult r = start_training_result(cluster, spec, c, "analytical");
  r.time.compute_s = microbatches * per_mb_compute;
  r.time.recompute_s = microbatches * per_mb_recompute;
  r.time.tp_comm_s = microbatches * per_mb_tp;
  r.time.ep_comm_s = microbatches * per_mb_ep;
  r.time.pp_comm_s = microbatches * per_mb_pp;
  r.time.bubble_s = bubble_s;
  r.time.dp_comm_total_s = dp_total_s;
  r.time.dp_comm_exposed_s = dp_exposed_s + c.zero3_gather_excess_s;
  r.time.optimizer_s = c.optimizer_s;
  r.iteration_time_s = microbatches * per_mb + bubble_s + r.time.dp_comm_exposed_s + c.optimizer_s;
  finish_training_result(r, cluster, c);
  return r;
}

}  // namespace kcsim

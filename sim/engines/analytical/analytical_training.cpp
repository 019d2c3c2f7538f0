#include "sim/engines/analytical/analytical_training.hpp"

#include <algorithm>

#include "sim/cost/dp_contention.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/power/training_result.hpp"

namespace kcsim {
namespace {

double collective_s(const CollectiveCost& c, const ClusterModel& cluster, double efficiency,
                    Algorithm algorithm, const CollectiveProtocol& protocol) {
  if (c.count == 0) return 0;
  return c.count * collective_time_s(c.kind, c.bytes, c.group, cluster.tiers, efficiency, algorithm,
                                     protocol);
}

}  // namespace

TrainingResult simulate_training_analytical(const ClusterModel& cluster, const TrainingSpec& spec) {
  const auto& s = spec.setup;
  const TrainingCosts c = training_costs(cluster, spec);
  const double eff = c.efficiency;
  const double microbatches = static_cast<double>(s.micro_batches);
  const int stages = s.pp;

  // One micro-batch through the busiest stage, which sets the pipeline's pace, and through the
  // first stage, whose device finishes last and is the one the breakdown describes.
  double per_mb_recompute = c.layers_per_stage * c.layer_recompute.time_s;
  auto stage_compute = [&](int stage) {
    return c.chunk_fwd_s(stage, stages) + c.chunk_bwd_s(stage, stages) - per_mb_recompute;
  };
  double first_stage_compute = stage_compute(0);
  double per_mb_compute = std::max(first_stage_compute, stage_compute(stages - 1));
  double per_mb_tp_bwd =
      collective_s(c.tp_bwd, cluster, eff, c.algorithm, c.protocol) + c.tp_bwd_excess_s;
  double per_mb_tp = collective_s(c.tp_fwd, cluster, eff, c.algorithm, c.protocol) + per_mb_tp_bwd;
  double per_mb_ep = collective_s(c.ep_fwd, cluster, eff, c.algorithm, c.protocol) +
                     collective_s(c.ep_bwd, cluster, eff, c.algorithm, c.protocol);
  // The pipeline's steady pace: per micro-batch, each stage's own work plus the sends on its
  // loop with its neighbours. A middle stage waits on an activation hop and a gradient hop each
  // micro-batch; the first and last stages have a neighbour on one side only, so a heavy end
  // stage (the LM head's) hides one hop in the others' slack. Interleaved chunks put every
  // device in the middle of the pipeline.
  double hop_s = 0;
  if (s.pp > 1) {
    const auto& tier = c.pp_inside_node ? cluster.tiers.intra_node : cluster.tiers.scale_out;
    hop_s = ring_time_s(Collective::SendRecv, c.pp_bytes, 2, tier, eff) + c.pp_gather_s;
  }
  double shared = per_mb_recompute + per_mb_tp + per_mb_ep;
  double cycle = per_mb_compute + shared + 2.0 * s.virtual_stages * hop_s;
  if (s.pp > 1 && s.virtual_stages == 1) {
    double ends = per_mb_compute + shared + hop_s;
    double middle = stages > 2 ? stage_compute(1) + shared + 2 * hop_s : 0.0;
    cycle = std::max(ends, middle);
  }
  // The sends' share of the pace: what it adds to the busiest stage's own work.
  double per_mb_pp = cycle - (per_mb_compute + shared);
  double bubble_s = static_cast<double>(s.pp - 1) / s.virtual_stages * cycle;

  double dp_total_s = dp_reduction_s(c, cluster.tiers);
  double dp_exposed = dp_exposed_s(c, dp_total_s);

  TrainingResult r = start_training_result(cluster, spec, c, "analytical");
  r.time.compute_s = microbatches * first_stage_compute;
  r.time.stage_imbalance_s = microbatches * (per_mb_compute - first_stage_compute);
  r.time.recompute_s = microbatches * per_mb_recompute;
  r.time.tp_comm_s = microbatches * per_mb_tp;
  r.time.tp_comm_overlapped_s = microbatches * tp_overlapped_s(c, cluster.tiers);
  r.time.ep_comm_s = microbatches * per_mb_ep;
  r.time.pp_comm_s = microbatches * per_mb_pp;
  r.time.bubble_s = bubble_s;
  r.time.dp_comm_total_s = dp_total_s;
  r.time.dp_comm_exposed_s = dp_exposed + c.zero3_gather_excess_s;
  // Each stage ends its last backward one model chunk's backward (and a gradient hop) before the
  // stage ahead of it, so its reduction starts that much earlier.
  double chunks = static_cast<double>(s.virtual_stages);
  double stagger_s = (c.layers_backward_s() + per_mb_tp_bwd +
                      collective_s(c.ep_bwd, cluster, eff, c.algorithm, c.protocol)) /
                         chunks +
                     hop_s;
  r.time.dp_comm_contention_s = dp_contention_s(cluster, c, s.tp, stagger_s);
  r.time.optimizer_s = c.optimizer_s;
  r.iteration_time_s = microbatches * cycle + bubble_s + r.time.dp_comm_exposed_s +
                       r.time.dp_comm_contention_s + c.optimizer_s;
  finish_training_result(r, cluster, c);
  return r;
}

}  // namespace kcsim

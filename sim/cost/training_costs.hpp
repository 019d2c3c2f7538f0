// What one training iteration of a plan is made of, piece by piece, before a schedule puts the
// pieces on a timeline. Both engines read these, so they price the same hardware and workload.
#pragma once

#include "analysis/results.hpp"
#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/collectives.hpp"
#include "sim/cost/training_spec.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {

// A collective a device joins: `count` back-to-back rings of `bytes` over `group` (members
// `stride` ranks apart).
struct CollectiveCost {
  Collective kind = Collective::AllReduce;
  double bytes = 0;
  int count = 0;
  Group group;
  int stride = 1;
};

struct TrainingCosts {
  // One micro-batch on one device of a stage: compute of all the stage's layers.
  double layers_per_stage = 0;
  OpCost layer_fwd, layer_bwd, layer_recompute;
  OpCost first_fwd, first_bwd;  // embedding, on the first stage
  OpCost last_fwd, last_bwd;    // final norm, LM head and loss, on the last stage

  // Per micro-batch and stage: tensor-parallel all-reduces of the forward and the ones of the
  // backward that wait for the GEMMs before them (recompute included), expert all-to-alls, and
  // the pipeline transfer each way.
  CollectiveCost tp_fwd, tp_bwd, ep_fwd, ep_bwd;
  // Backward collectives that run beside the GEMMs (RuntimeSpec::tp_backward_overlap), and
  // what of them outlasts those GEMMs, seconds per micro-batch on a stage.
  CollectiveCost tp_bwd_overlapped;
  double tp_bwd_excess_s = 0;
  double pp_bytes = 0;     // one device's send
  double pp_gather_s = 0;  // the receiver's all-gather of a scattered send, per send
  bool pp_inside_node = true;

  // Per iteration: gradient reduce-scatter (all-reduce without ZeRO) and the weights'
  // all-gather, overlapped with the last backward in `grad_buckets` buckets.
  CollectiveCost dp_grads, dp_weights;
  double grad_buckets = 1;
  double zero3_gather_excess_s = 0;  // ZeRO-3 weight gathers not hidden behind compute
  OpCost optimizer;                  // the optimizer step over the device's shard
  double optimizer_s = 0;

  // Each piece of compute ran at the fastest DVFS state whose draw fits the device's power
  // limit (the TDP unless capped); waits and collectives at the fastest state whose draw fits.
  double power_limit_w = 0;
  DvfsPoint wait_state, collective_state;
  bool whole_servers = false;  // energy: the job pays for every server it touches in full

  double efficiency = 1;        // collectives' share of link bandwidth
  Algorithm algorithm;          // all-reduce between servers (auto unless named)
  CollectiveProtocol protocol;  // the stack's loops and channels

  // One micro-batch through model chunk `chunk` of `chunks` on `stage` (the whole stage when
  // chunks == 1); backward includes recompute.
  double chunk_fwd_s(int stage, int stages, int chunk = 0, int chunks = 1) const;
  double chunk_bwd_s(int stage, int stages, int chunk = 0, int chunks = 1) const;
  // One micro-batch's backward (recompute included) through the stage's layers.
  double layers_backward_s() const {
    return layers_per_stage * (layer_bwd.time_s + layer_recompute.time_s);
  }
};

TrainingCosts training_costs(const ClusterModel& cluster, const TrainingSpec& spec);

// The pass one micro-batch runs through a layer on a tp-way shard (tp = 1: the whole model).
PassShape training_pass(const TrainingSpec& spec, int64_t tp);

// The gradient reduction (and ZeRO's weight gather) of one iteration on links it has to itself
// (the NICs' full rate: an oversubscribed tier's share shows as contention, dp_contention.hpp),
// and the part of it left after the last backward: every bucket but the last can hide behind
// that backward, the last cannot. Both engines' `dp_comm_total_s` and `dp_comm_exposed_s`.
double dp_reduction_s(const TrainingCosts& costs, const NetworkTiers& tiers);
double dp_exposed_s(const TrainingCosts& costs, double reduction_s);

// The backward's tensor-parallel collectives hidden behind its GEMMs, per micro-batch on a
// stage: both engines' `tp_comm_overlapped_s` per micro-batch.
double tp_overlapped_s(const TrainingCosts& costs, const NetworkTiers& tiers);

}  // namespace kcsim

#include "sim/cost/training_costs.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include "hw-models/dvfs.hpp"
#include "hw-models/power_model.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {
namespace {

bool is_attention_core(const Op& op) {
  return op.name == "attn_score" || op.name == "attn_softmax" || op.name == "attn_dropout" ||
         op.name == "attn_context";
}

// Backward of an op: twice the work (gradients of inputs and of weights).
std::vector<Op> backward_of(const std::vector<Op>& forward) {
  std::vector<Op> ops = forward;
  for (auto& op : ops) {
    op.flops *= 2;
    op.bytes *= 2;
  }
  return ops;
}

std::vector<Op> attention_core(const std::vector<Op>& forward) {
  std::vector<Op> ops;
  std::copy_if(forward.begin(), forward.end(), std::back_inserter(ops), is_attention_core);
  return ops;
}

// Members of a parallel group sit `stride` ranks apart; those sharing a server are consecutive
// in the group.
Group strided_group(int size, int stride, int devices_per_node) {
  int per_node = std::max(1, devices_per_node / stride);
  return Group{size, std::min(size, per_node)};
}

}  // namespace

PassShape training_pass(const TrainingSpec& spec, int64_t tp) {
  const auto& s = spec.setup;
  PassShape pass;
  pass.sequences = s.micro_batch;
  pass.new_tokens = s.seq_len;
  pass.context = s.seq_len;
  pass.tp = tp;
  pass.sequence_parallel = s.sequence_parallel && tp > 1;
  pass.act_bytes = s.act_bytes;
  pass.weight_bytes = s.weight_bytes;
  pass.flash_attention = spec.flash_attention;
  pass.causal = spec.flash_attention;  // unfused attention computes the masked half too
  pass.attention_dropout = true;
  return pass;
}

double TrainingCosts::chunk_fwd_s(int stage, int stages, int chunk, int chunks) const {
  double t = layers_per_stage / chunks * layer_fwd.time_s;
  if (stage == 0 && chunk == 0) t += first_fwd.time_s;
  if (stage == stages - 1 && chunk == chunks - 1) t += last_fwd.time_s;
  return t;
}

double TrainingCosts::chunk_bwd_s(int stage, int stages, int chunk, int chunks) const {
  double t = layers_per_stage / chunks * (layer_bwd.time_s + layer_recompute.time_s);
  if (stage == 0 && chunk == 0) t += first_bwd.time_s;
  if (stage == stages - 1 && chunk == chunks - 1) t += last_bwd.time_s;
  return t;
}

TrainingCosts training_costs(const ClusterModel& cluster, const TrainingSpec& spec) {
  const auto& s = spec.setup;
  const auto& m = spec.model;
  const auto& chip = cluster.chip;
  const Execution exec =
      spec.runtime.execution(cluster.chip, DvfsPoint{}, cluster.host_speed(), spec.dtype);
  const int per_node = cluster.tiers.devices_per_node;
  TrainingCosts c;
  // The power limiter: each piece at the fastest state (or two alternating) whose draw fits.
  const std::vector<DvfsPoint> states = dvfs_states(chip, spec.clock_mhz);
  c.power_limit_w = power_limit_w(chip, spec.device_power_cap_w);
  c.wait_state = waiting_state(chip, c.power_limit_w, states);
  c.collective_state = collective_state(chip, c.power_limit_w, states);
  c.whole_servers = spec.whole_servers;
  auto limited_cost = [&](const std::vector<Op>& ops) {
    return choose_state_under_cap(chip, c.power_limit_w, states,
                                  [&](const DvfsPoint& state) {
                                    Execution at = exec;
                                    at.state = state;
                                    return ops_cost(chip, ops, spec.dtype, at);
                                  })
        .cost;
  };
  c.efficiency = chip.efficiency().collective_max();
  c.algorithm = spec.algorithm;
  c.protocol = spec.runtime.collectives;
  c.layers_per_stage = static_cast<double>(m.layers) / s.pp;

  PassShape pass = training_pass(spec, s.tp);
  auto layer = layer_forward_ops(m, pass);
  c.layer_fwd = limited_cost(layer);
  c.layer_bwd = limited_cost(backward_of(layer));
  if (s.recompute == RecomputeMode::Full) {
    c.layer_recompute = c.layer_fwd;
  } else if (s.recompute == RecomputeMode::Selective && !spec.flash_attention) {
    // With fused attention nothing is stored to recompute: the kernel recomputes internally.
    c.layer_recompute = limited_cost(attention_core(layer));
  }
  auto head = head_forward_ops(m, pass, /*with_loss=*/true);
  c.last_fwd = limited_cost(head);
  c.last_bwd = limited_cost(backward_of(head));
  auto embed = embedding_forward_ops(m, pass);
  c.first_fwd = limited_cost(embed);
  c.first_bwd = limited_cost(backward_of(embed));

  // Tensor parallelism: two all-reduces per layer forward and two backward (with sequence
  // parallelism an all-gather and a reduce-scatter each, the same bytes); full recompute
  // repeats the forward ones.
  int tp = s.tp;
  double act = static_cast<double>(s.micro_batch) * s.seq_len * m.hidden * s.act_bytes;
  int layers = static_cast<int>(c.layers_per_stage);
  const bool full_recompute = s.recompute == RecomputeMode::Full;
  const Group tp_group{tp, std::min(tp, per_node)};
  auto tp_time_s = [&](Collective kind) {
    return collective_time_s(kind, act, tp_group, cluster.tiers, c.efficiency, c.algorithm,
                             c.protocol);
  };
  if (tp > 1) {
    c.tp_fwd = {Collective::AllReduce, act, 2 * layers, tp_group, 1};
    if (!spec.runtime.tp_backward_overlap) {
      c.tp_bwd = {Collective::AllReduce, act, (full_recompute ? 4 : 2) * layers, tp_group, 1};
    } else {
      // The backward's collectives sit at the column-parallel linears (QKV, MLP up): their
      // input gradient's all-reduce runs beside the weight-gradient GEMM. Under sequence
      // parallelism that is a reduce-scatter, the input's re-gather runs beside the
      // input-gradient GEMM, and the gradient of each forward reduce-scatter is an all-gather
      // nothing hides: two all-gathers per layer, priced as one all-reduce (a ring's all-reduce
      // is a reduce-scatter and an all-gather).
      int exposed = (pass.sequence_parallel ? 1 : 0) + (full_recompute ? 2 : 0);
      c.tp_bwd = {Collective::AllReduce, act, exposed * layers, tp_group, 1};
      c.tp_bwd_overlapped = {Collective::AllReduce, act, 2 * layers, tp_group, 1};
      const double all_reduce = tp_time_s(Collective::AllReduce),
                   all_gather = tp_time_s(Collective::AllGather),
                   reduce_scatter = tp_time_s(Collective::ReduceScatter);
      double per_layer = 0;
      for (const Op& op : layer) {
        if (op.name != "qkv" && op.name != "mlp_up") continue;
        // Each of the op's two backward GEMMs takes its forward's time.
        double gemm = limited_cost({op}).time_s;
        per_layer += pass.sequence_parallel
                         ? std::max(0.0, all_gather - gemm) + std::max(0.0, reduce_scatter - gemm)
                         : std::max(0.0, all_reduce - gemm);
      }
      c.tp_bwd_excess_s = layers * per_layer;
    }
  }
  // Expert parallelism: dispatch and combine all-to-all in each direction, among the devices of
  // the same stage and TP rank in consecutive data-parallel replicas.
  int stride = s.tp * s.pp;
  if (m.is_moe() && s.ep > 1) {
    Group group = strided_group(s.ep, stride, per_node);
    double bytes = act * m.experts_top_k;
    c.ep_fwd = {Collective::AllToAll, bytes, 2 * layers, group, stride};
    c.ep_bwd = {Collective::AllToAll, bytes, 2 * layers, group, stride};
  }
  if (s.pp > 1) {
    c.pp_inside_node = s.tp * s.pp <= per_node;
    c.pp_bytes = act;
    if (pass.sequence_parallel) {
      c.pp_bytes = act / s.tp;  // each rank holds, and sends, its slice of the sequence
    } else if (tp > 1 && spec.runtime.pipeline_scatter_gather) {
      c.pp_bytes = act / s.tp;
      c.pp_gather_s = tp_time_s(Collective::AllGather);
    }
  }

  // Data parallelism: gradients reduced (ZeRO >= 1: reduce-scattered, then the updated weights
  // all-gathered).
  double local_params = parameters_per_device(m, s);
  if (s.dp > 1) {
    Group group = strided_group(s.dp, stride, per_node);
    double grad_bytes = local_params * s.grad_bytes;
    if (s.zero_stage == 0) {
      c.dp_grads = {Collective::AllReduce, grad_bytes, 1, group, stride};
    } else {
      c.dp_grads = {Collective::ReduceScatter, grad_bytes, 1, group, stride};
      c.dp_weights = {Collective::AllGather, local_params * s.weight_bytes, 1, group, stride};
    }
    c.grad_buckets = spec.grad_bucket_bytes > 0
                         ? std::max(1.0, std::ceil(grad_bytes / spec.grad_bucket_bytes))
                         : 1.0;
    // ZeRO-3 gathers each layer's weights for forward and backward of every micro-batch; the
    // gather overlaps with the previous layer's compute, so only the excess shows.
    if (s.zero_stage == 3) {
      double layer_bytes = layer_parameters(m) / s.tp * s.weight_bytes;
      double gather = collective_time_s(Collective::AllGather, layer_bytes, group, cluster.tiers,
                                        c.efficiency, c.algorithm, c.protocol);
      c.zero3_gather_excess_s = static_cast<double>(s.micro_batches) * c.layers_per_stage *
                                std::max(0.0, 2 * gather - c.layer_fwd.time_s - c.layer_bwd.time_s);
    }
  }

  // Adam step: fp32 master weights, m and v read and written, gradients read, weights written.
  double optimizer_params = local_params / (s.zero_stage >= 1 ? s.dp : 1);
  double optimizer_bytes =
      optimizer_params * (s.optimizer_bytes * 2 + s.grad_bytes + s.weight_bytes);
  // About 16 FLOPs per parameter (moments, bias corrections, the update), on the vector units.
  Op adam{"optimizer", OpKind::Vector, 16 * optimizer_params, optimizer_bytes};
  c.optimizer = limited_cost({adam});
  c.optimizer_s = c.optimizer.time_s;
  return c;
}

double dp_reduction_s(const TrainingCosts& c, const NetworkTiers& shared_tiers) {
  const NetworkTiers tiers = shared_tiers.unshared();
  double total = 0;
  for (const auto* cost : {&c.dp_grads, &c.dp_weights}) {
    if (cost->count > 0) {
      total += cost->count * collective_time_s(cost->kind, cost->bytes, cost->group, tiers,
                                               c.efficiency, c.algorithm, c.protocol);
    }
  }
  return total;
}

double dp_exposed_s(const TrainingCosts& c, double reduction_s) {
  double last_bucket = reduction_s / c.grad_buckets;
  return std::max(0.0, reduction_s - last_bucket - c.layers_backward_s()) + last_bucket;
}

double tp_overlapped_s(const TrainingCosts& c, const NetworkTiers& tiers) {
  const CollectiveCost& o = c.tp_bwd_overlapped;
  if (o.count == 0) return 0;
  double all = o.count * collective_time_s(o.kind, o.bytes, o.group, tiers, c.efficiency,
                                           c.algorithm, c.protocol);
  return std::max(0.0, all - c.tp_bwd_excess_s);
}

}  // namespace kcsim

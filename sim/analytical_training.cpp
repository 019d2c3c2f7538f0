#include "sim/analytical_training.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"
#include "sim/collectives.hpp"
#include "workloads/training_memory.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

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

// Costs of one micro-batch on one device, per layer and for the model's ends.
struct StageCosts {
  OpCost layer_fwd, layer_bwd, layer_recompute;
  OpCost head_fwd, head_bwd;  // last stage
  OpCost embed_fwd, embed_bwd;  // first stage
  double layer_fwd_flops_full = 0;  // forward FLOPs of one layer at tp=1, one micro-batch
  double head_fwd_flops_full = 0;
};

StageCosts stage_costs(const ClusterModel& cluster, const TrainingSpec& spec) {
  const auto& s = spec.setup;
  PassShape pass;
  pass.sequences = s.micro_batch;
  pass.new_tokens = s.seq_len;
  pass.context = s.seq_len;
  pass.tp = s.tp;
  pass.sequence_parallel = s.sequence_parallel;
  pass.act_bytes = s.act_bytes;
  pass.weight_bytes = s.weight_bytes;
  pass.flash_attention = spec.flash_attention;
  pass.causal = spec.flash_attention;  // unfused attention computes the masked half too
  pass.attention_dropout = true;

  const auto& chip = cluster.chip;
  const Execution exec{1.0, spec.dispatch_us * 1e-6 / cluster.host_speed(),
                       spec.gemm_efficiency_scale};
  StageCosts c;
  auto layer = layer_forward_ops(spec.model, pass);
  c.layer_fwd = ops_cost(chip, layer, spec.dtype, exec);
  c.layer_bwd = ops_cost(chip, backward_of(layer), spec.dtype, exec);
  if (s.recompute == RecomputeMode::Full) {
    c.layer_recompute = c.layer_fwd;
  } else if (s.recompute == RecomputeMode::Selective && !spec.flash_attention) {
    // With fused attention nothing is stored to recompute: the kernel recomputes internally.
    c.layer_recompute = ops_cost(chip, attention_core(layer), spec.dtype, exec);
  }
  auto head = head_forward_ops(spec.model, pass, /*with_loss=*/true);
  c.head_fwd = ops_cost(chip, head, spec.dtype, exec);
  c.head_bwd = ops_cost(chip, backward_of(head), spec.dtype, exec);
  auto embed = embedding_forward_ops(spec.model, pass);
  c.embed_fwd = ops_cost(chip, embed, spec.dtype, exec);
  c.embed_bwd = ops_cost(chip, backward_of(embed), spec.dtype, exec);

  PassShape whole = pass;
  whole.tp = 1;
  whole.sequence_parallel = false;
  c.layer_fwd_flops_full = total_flops(layer_forward_ops(spec.model, whole));
  c.head_fwd_flops_full = total_flops(head_forward_ops(spec.model, whole, true));
  return c;
}

Group tp_group(const TrainingSpec& spec, const ClusterModel& cluster) {
  int tp = static_cast<int>(spec.setup.tp);
  return Group{tp, std::min(tp, cluster.tiers.devices_per_node)};
}

// Data-parallel replicas sit tp*pp devices apart: the group has one device per replica.
Group dp_group(const TrainingSpec& spec, const ClusterModel& cluster) {
  int dp = static_cast<int>(spec.setup.dp);
  int stride = static_cast<int>(spec.setup.tp * spec.setup.pp);
  int per_node = std::max(1, cluster.tiers.devices_per_node / stride);
  return Group{dp, std::min(dp, per_node)};
}

// Pipeline neighbours share a server when a whole tp*pp model replica fits in one.
const LinkTier& pp_tier(const TrainingSpec& spec, const ClusterModel& cluster) {
  bool inside = spec.setup.tp * spec.setup.pp <= cluster.tiers.devices_per_node;
  return inside ? cluster.tiers.intra_node : cluster.tiers.scale_out;
}

}  // namespace

TrainingResult simulate_training_analytical(const ClusterModel& cluster, const TrainingSpec& spec) {
  const auto& s = spec.setup;
  const auto& m = spec.model;
  const double eff = cluster.chip.efficiency().collective_max();
  const double layers_per_stage = static_cast<double>(m.layers) / s.pp;
  const double microbatches = static_cast<double>(s.micro_batches);

  StageCosts c = stage_costs(cluster, spec);

  // Tensor parallelism: two all-reduces per layer forward and two backward (with sequence
  // parallelism an all-gather and a reduce-scatter each, the same bytes); full recompute
  // repeats the forward ones.
  double tp_bytes = static_cast<double>(s.micro_batch) * s.seq_len * m.hidden * s.act_bytes;
  double tp_collective = collective_time_s(Collective::AllReduce, tp_bytes,
                                           tp_group(spec, cluster), cluster.tiers, eff);
  int tp_per_layer = 4 + (s.recompute == RecomputeMode::Full ? 2 : 0);
  double tp_layer_s = s.tp > 1 ? tp_per_layer * tp_collective : 0;

  // Expert parallelism: dispatch and combine all-to-all, forward and backward.
  double ep_layer_s = 0;
  if (m.is_moe() && s.ep > 1) {
    double bytes = tp_bytes * m.experts_top_k;
    Group ep{static_cast<int>(s.ep), std::min<int>(static_cast<int>(s.ep),
                                                   cluster.tiers.devices_per_node)};
    ep_layer_s = 4 * collective_time_s(Collective::AllToAll, bytes, ep, cluster.tiers, eff);
  }

  // Pipeline: an activation forward and a gradient backward per micro-batch and chunk.
  double pp_p2p_s = 0;
  if (s.pp > 1) {
    double bytes = tp_bytes / (s.sequence_parallel ? s.tp : 1);
    const auto& tier = pp_tier(spec, cluster);
    pp_p2p_s = 2.0 * s.virtual_stages * (tier.latency_s + bytes / (tier.bandwidth_bytes_per_s * eff));
  }

  // One micro-batch through the busiest stage: all its layers, plus the model's ends where they
  // sit (embedding on the first stage, LM head and loss on the last).
  double layer_compute = c.layer_fwd.time_s + c.layer_bwd.time_s;
  double first_ends = c.embed_fwd.time_s + c.embed_bwd.time_s;
  double last_ends = c.head_fwd.time_s + c.head_bwd.time_s;
  double ends = s.pp == 1 ? first_ends + last_ends : std::max(first_ends, last_ends);
  double per_mb_compute = layers_per_stage * layer_compute + ends;
  double per_mb_recompute = layers_per_stage * c.layer_recompute.time_s;
  double per_mb_tp = layers_per_stage * tp_layer_s;
  double per_mb_ep = layers_per_stage * ep_layer_s;
  double per_mb = per_mb_compute + per_mb_recompute + per_mb_tp + per_mb_ep + pp_p2p_s;

  double bubble_s = static_cast<double>(s.pp - 1) / s.virtual_stages * per_mb;
  double pipeline_s = microbatches * per_mb + bubble_s;

  // Data parallelism: gradients reduced (ZeRO >= 1: reduce-scattered, then the updated weights
  // all-gathered), overlapped with the last micro-batch's backward in buckets.
  double local_params = parameters_per_device(m, s);
  double dp_total_s = 0, dp_exposed_s = 0;
  if (s.dp > 1) {
    Group group = dp_group(spec, cluster);
    double grad_bytes = local_params * s.grad_bytes;
    if (s.zero_stage == 0) {
      dp_total_s = collective_time_s(Collective::AllReduce, grad_bytes, group, cluster.tiers, eff);
    } else {
      dp_total_s =
          collective_time_s(Collective::ReduceScatter, grad_bytes, group, cluster.tiers, eff) +
          collective_time_s(Collective::AllGather, local_params * s.weight_bytes, group,
                            cluster.tiers, eff);
    }
    if (spec.grad_bucket_bytes > 0) {
      double buckets = std::max(1.0, std::ceil(grad_bytes / spec.grad_bucket_bytes));
      double backward_s = layers_per_stage * (c.layer_bwd.time_s + c.layer_recompute.time_s);
      dp_exposed_s = std::max(dp_total_s - backward_s, dp_total_s / buckets);
    } else {
      dp_exposed_s = dp_total_s;
    }
  }
  // ZeRO-3 gathers each layer's weights for forward and backward of every micro-batch; the
  // gather overlaps with the previous layer's compute, so only the excess shows.
  double zero3_s = 0;
  if (s.zero_stage == 3 && s.dp > 1) {
    double layer_bytes = layer_parameters(m) / s.tp * s.weight_bytes;
    double gather = collective_time_s(Collective::AllGather, layer_bytes,
                                      dp_group(spec, cluster), cluster.tiers, eff);
    zero3_s = microbatches * layers_per_stage *
              std::max(0.0, 2 * gather - c.layer_fwd.time_s - c.layer_bwd.time_s);
  }

  // Adam step: fp32 master weights, m and v read and written, gradients read, weights written.
  double optimizer_params = local_params / (s.zero_stage >= 1 ? s.dp : 1);
  double optimizer_bytes = optimizer_params * (s.optimizer_bytes * 2 + s.grad_bytes + s.weight_bytes);
  double optimizer_s = optimizer_bytes / (cluster.chip.memory_bandwidth_bytes_per_s() *
                                          cluster.chip.efficiency().memory_max());

  TrainingResult r;
  r.cluster = cluster.name;
  r.chip = cluster.chip.name();
  r.model = m.name;
  r.engine = "analytical";
  r.dtype = dtype_name(spec.dtype);
  r.recompute = recompute_name(s.recompute);
  r.devices = spec.devices();
  r.tp = static_cast<int>(s.tp);
  r.pp = static_cast<int>(s.pp);
  r.dp = static_cast<int>(s.dp);
  r.ep = static_cast<int>(s.ep);
  r.virtual_stages = static_cast<int>(s.virtual_stages);
  r.zero_stage = s.zero_stage;
  r.sequence_parallel = s.sequence_parallel;
  r.global_batch = spec.global_batch;
  r.micro_batch = s.micro_batch;
  r.micro_batches = s.micro_batches;
  r.seq_len = s.seq_len;
  r.parameters = parameter_count(m);

  r.time.compute_s = microbatches * per_mb_compute;
  r.time.recompute_s = microbatches * per_mb_recompute;
  r.time.tp_comm_s = microbatches * per_mb_tp;
  r.time.ep_comm_s = microbatches * per_mb_ep;
  r.time.pp_comm_s = microbatches * pp_p2p_s;
  r.time.bubble_s = bubble_s;
  r.time.dp_comm_total_s = dp_total_s;
  r.time.dp_comm_exposed_s = dp_exposed_s + zero3_s;
  r.time.optimizer_s = optimizer_s;
  r.iteration_time_s = pipeline_s + dp_exposed_s + zero3_s + optimizer_s;

  double tokens = static_cast<double>(spec.global_batch) * s.seq_len;
  double sequences_per_mb = static_cast<double>(s.micro_batch);
  double fwd_flops = (m.layers * c.layer_fwd_flops_full + c.head_fwd_flops_full) *
                     (static_cast<double>(spec.global_batch) / sequences_per_mb);
  double recompute_flops = 0;
  if (s.recompute == RecomputeMode::Full) {
    recompute_flops = m.layers * c.layer_fwd_flops_full;
  } else if (s.recompute == RecomputeMode::Selective) {
    recompute_flops = m.layers * c.layer_recompute.flops * s.tp;
  }
  recompute_flops *= static_cast<double>(spec.global_batch) / sequences_per_mb;
  r.model_flops_per_iteration = 3 * fwd_flops;
  r.hardware_flops_per_iteration = r.model_flops_per_iteration + recompute_flops;
  r.tokens_per_s = tokens / r.iteration_time_s;
  r.model_tflops_per_device = r.model_flops_per_iteration / r.iteration_time_s / r.devices / 1e12;
  r.hardware_tflops_per_device =
      r.hardware_flops_per_iteration / r.iteration_time_s / r.devices / 1e12;
  r.mfu = r.model_tflops_per_device * 1e12 / cluster.chip.peak_ops_per_s(spec.dtype);

  TrainingMemory mem = training_memory_per_device(m, s);
  r.memory.weights_gib = mem.weights_bytes / kGiB;
  r.memory.gradients_gib = mem.gradients_bytes / kGiB;
  r.memory.optimizer_gib = mem.optimizer_bytes / kGiB;
  r.memory.activations_gib = mem.activations_bytes / kGiB;
  r.memory.workspace_gib = mem.workspace_bytes / kGiB;
  r.memory.total_gib = mem.total_bytes() / kGiB;
  r.memory.capacity_gib = cluster.chip.memory_capacity_bytes() / kGiB;

  // Energy: devices draw by their busy fractions while computing and idle power otherwise
  // (waiting in the bubble or on communication); every server adds its overhead throughout.
  OpCost busy = c.layer_fwd;
  busy += c.layer_bwd;
  busy += c.head_fwd;
  busy += c.head_bwd;
  double compute_time = r.time.compute_s + r.time.recompute_s + optimizer_s;
  double compute_w = device_power_w(cluster.chip, busy.compute_busy, busy.memory_busy);
  double idle_time = std::max(0.0, r.iteration_time_s - compute_time);
  double device_j = compute_w * compute_time + cluster.chip.idle_w() * idle_time;
  int servers = (r.devices + cluster.tiers.devices_per_node - 1) / cluster.tiers.devices_per_node;
  double server_j = servers * cluster.server_overhead_w() * r.iteration_time_s;
  r.energy_per_iteration_j = r.devices * device_j + server_j;
  r.avg_device_power_w = device_j / r.iteration_time_s;
  r.avg_it_power_w = r.energy_per_iteration_j / r.iteration_time_s;
  r.energy_per_token_j = r.energy_per_iteration_j / tokens;
  r.tokens_per_s_per_kw = r.tokens_per_s / (r.avg_it_power_w / 1000);
  return r;
}

}  // namespace kcsim

#include "sim/training_costs.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include "hw-models/dvfs.hpp"
#include "hw-models/power_model.hpp"
#include "sim/energy_ledger.hpp"
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

// Members of a parallel group sit `stride` ranks apart; those sharing a server are consecutive
// in the group.
Group strided_group(int size, int stride, int devices_per_node) {
  int per_node = std::max(1, devices_per_node / stride);
  return Group{size, std::min(size, per_node)};
}

}  // namespace

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
  int tp = static_cast<int>(s.tp);
  double act = static_cast<double>(s.micro_batch) * s.seq_len * m.hidden * s.act_bytes;
  int layers = static_cast<int>(c.layers_per_stage);
  const bool full_recompute = s.recompute == RecomputeMode::Full;
  const Group tp_group{tp, std::min(tp, per_node)};
  auto tp_time_s = [&](Collective kind) {
    return collective_time_s(kind, act, tp_group, cluster.tiers, c.efficiency, c.algorithm);
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
  int stride = static_cast<int>(s.tp * s.pp);
  if (m.is_moe() && s.ep > 1) {
    Group group = strided_group(static_cast<int>(s.ep), stride, per_node);
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
    Group group = strided_group(static_cast<int>(s.dp), stride, per_node);
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
                                        c.efficiency, c.algorithm);
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
                                               c.efficiency, c.algorithm);
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
  double all =
      o.count * collective_time_s(o.kind, o.bytes, o.group, tiers, c.efficiency, c.algorithm);
  return std::max(0.0, all - c.tp_bwd_excess_s);
}

TrainingResult start_training_result(const ClusterModel& cluster, const TrainingSpec& spec,
                                     const TrainingCosts& costs, const char* engine) {
  const auto& s = spec.setup;
  const auto& m = spec.model;
  TrainingResult r;
  r.cluster = cluster.name;
  r.chip = cluster.chip.name();
  r.model = m.name;
  r.engine = engine;
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
  r.device_power_cap_w = spec.device_power_cap_w;

  // FLOPs counted on the whole model (tp = 1) for every sequence of the batch.
  PassShape whole = training_pass(spec, 1);
  double micro_batches_total = static_cast<double>(spec.global_batch) / s.micro_batch;
  double layer_flops = total_flops(layer_forward_ops(m, whole));
  double fwd_flops = (m.layers * layer_flops + total_flops(head_forward_ops(m, whole, true))) *
                     micro_batches_total;
  double recompute_flops = 0;
  if (s.recompute == RecomputeMode::Full) {
    recompute_flops = m.layers * layer_flops;
  } else if (s.recompute == RecomputeMode::Selective) {
    recompute_flops = m.layers * costs.layer_recompute.flops * s.tp;
  }
  r.model_flops_per_iteration = 3 * fwd_flops;
  r.hardware_flops_per_iteration =
      r.model_flops_per_iteration + recompute_flops * micro_batches_total;

  TrainingMemory mem = training_memory_per_device(m, s);
  r.memory.weights_gib = mem.weights_bytes / kGiB;
  r.memory.gradients_gib = mem.gradients_bytes / kGiB;
  r.memory.optimizer_gib = mem.optimizer_bytes / kGiB;
  r.memory.activations_gib = mem.activations_bytes / kGiB;
  r.memory.workspace_gib = mem.workspace_bytes / kGiB;
  r.memory.total_gib = mem.total_bytes() / kGiB;
  r.memory.capacity_gib = cluster.chip.memory_capacity_bytes() / kGiB;
  return r;
}

void finish_training_result(TrainingResult& r, const ClusterModel& cluster,
                            const TrainingCosts& costs) {
  double tokens = static_cast<double>(r.global_batch) * r.seq_len;
  r.tokens_per_s = tokens / r.iteration_time_s;
  r.model_tflops_per_device = r.model_flops_per_iteration / r.iteration_time_s / r.devices / 1e12;
  r.hardware_tflops_per_device =
      r.hardware_flops_per_iteration / r.iteration_time_s / r.devices / 1e12;
  r.mfu = r.model_tflops_per_device * 1e12 / cluster.chip.peak_ops_per_s(*parse_dtype(r.dtype));

  OpCost compute = training_compute(costs, static_cast<double>(r.micro_batches), r.pp);
  r.compute_clock_speed = compute.mean_clock();
  r.power_limit_w = costs.power_limit_w;

  // Energy: devices draw their compute's power while computing, run collectives' kernels while
  // tensor-, expert- and data-parallel collectives are exposed, and wait held otherwise (the
  // bubble, pipeline sends); servers, links and the facility on top.
  double compute_time =
      std::min(r.time.compute_s + r.time.recompute_s + r.time.optimizer_s, r.iteration_time_s);
  double collective_time = std::min(
      r.time.tp_comm_s + r.time.ep_comm_s + r.time.dp_comm_exposed_s + r.time.dp_comm_contention_s,
      r.iteration_time_s - compute_time);
  EnergyLedger ledger(cluster.chip, r.devices, waiting_power(cluster.chip, costs.wait_state));
  ledger.add_device_time(
      r.devices * compute_time,
      training_busy_power(cluster.chip, costs, static_cast<double>(r.micro_batches), r.pp));
  ledger.add_device_time(r.devices * collective_time,
                         collective_power(cluster.chip, costs.collective_state));
  set_training_energy(r, cluster, costs, ledger.finish(r.iteration_time_s, r.devices));
}

OpCost training_compute(const TrainingCosts& costs, double micro_batches, int stages) {
  double layers = costs.layers_per_stage;
  OpCost per_micro_batch = costs.layer_fwd.scaled(layers);
  per_micro_batch += costs.layer_bwd.scaled(layers);
  per_micro_batch += costs.layer_recompute.scaled(layers);
  // The head and the embedding run on one stage each: a device's share of them.
  double share = 1.0 / std::max(1, stages);
  for (const OpCost* end : {&costs.first_fwd, &costs.first_bwd, &costs.last_fwd, &costs.last_bwd}) {
    per_micro_batch += end->scaled(share);
  }
  OpCost all = per_micro_batch.scaled(micro_batches);
  all += costs.optimizer;
  return all;
}

DevicePower training_busy_power(const ChipModel& chip, const TrainingCosts& costs,
                                double micro_batches, int stages) {
  return busy_power(chip, training_compute(costs, micro_batches, stages));
}

void set_training_energy(TrainingResult& r, const ClusterModel& cluster, const TrainingCosts& costs,
                         const DeviceEnergy& devices) {
  double tokens = static_cast<double>(r.global_batch) * r.seq_len;
  double t = r.iteration_time_s;
  LinkActivity links;
  // The plan's share of the cluster's links carries its traffic while it communicates.
  double share = std::min(1.0, static_cast<double>(r.devices) / std::max(1, cluster.devices()));
  links.in_server = share * std::min(1.0, (r.time.tp_comm_s + r.time.tp_comm_overlapped_s +
                                           r.time.ep_comm_s + r.time.pp_comm_s) /
                                              t);
  if (cluster.tiers.nodes > 1) {
    links.between_servers = share * std::min(1.0, r.time.dp_comm_total_s / t);
  }
  r.energy = cluster_energy(cluster, devices, t, links, tokens, {r.devices, costs.whole_servers});
  r.device_energy_j = devices.total_j();
  r.device_power = {cluster.chip.idle_w(), waiting_power(cluster.chip, costs.wait_state).total_w()};
  r.energy_per_iteration_j = r.energy.it_j;
  r.avg_device_power_w = devices.total_j() / r.devices / t;
  r.avg_it_power_w = r.energy.avg_it_power_w;
  r.energy_per_token_j = r.energy.it_j / tokens;
  r.tokens_per_s_per_kw = r.tokens_per_s / (r.avg_it_power_w / 1000);
}

}  // namespace kcsim

#include "sim/cost/serving_iteration.hpp"

#include <algorithm>

#include "sim/cost/collectives.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {

PassShape serving_pass_shape(const ServingSpec& spec, int64_t sequences, int64_t new_tokens,
                             int64_t context) {
  PassShape pass;
  pass.sequences = sequences;
  pass.new_tokens = new_tokens;
  pass.context = context;
  pass.tp = spec.tp;
  pass.act_bytes = dtype_bytes(spec.dtype) < 2 ? 2 : dtype_bytes(spec.dtype);
  pass.weight_bytes = dtype_bytes(spec.dtype);
  pass.kv_bytes = dtype_bytes(spec.kv_dtype);
  pass.flash_attention = spec.flash_attention;
  pass.causal = spec.flash_attention;  // unfused attention computes the masked half too
  pass.quantize_activations = spec.runtime.quantize_activations;
  return pass;
}

double serving_pipeline_send_s(const ClusterModel& cluster, const ServingSpec& spec,
                               int64_t tokens) {
  if (spec.pp <= 1) return 0;
  PassShape pass = serving_pass_shape(spec, tokens, 1, 1);
  double bytes = static_cast<double>(tokens) * spec.model.hidden * pass.act_bytes;
  bool inside = spec.tp * spec.pp <= cluster.tiers.devices_per_node;
  const auto& tier = inside ? cluster.tiers.intra_node : cluster.tiers.scale_out;
  double each = std::max(spec.runtime.collective_floor_s(cluster.host_speed()),
                         ring_time_s(Collective::SendRecv, bytes, 2, tier,
                                     cluster.chip.efficiency().collective_max()));
  return (spec.pp - 1) * each;
}

double serving_tp_comm_s(const ClusterModel& cluster, const ServingSpec& spec, int64_t tokens) {
  if (spec.tp <= 1) return 0;
  PassShape pass = serving_pass_shape(spec, tokens, 1, 1);
  double bytes = static_cast<double>(tokens) * spec.model.hidden * pass.act_bytes;
  Group group{spec.tp, std::min(spec.tp, cluster.tiers.devices_per_node)};
  // A buffer of a few MiB reaches only part of the large-message bandwidth.
  double half = spec.runtime.collective_half_kib * 1024;
  double efficiency = cluster.chip.efficiency().collective_max() * bytes / (bytes + half);
  double each = std::max(spec.runtime.collective_floor_s(cluster.host_speed()),
                         collective_time_s(Collective::AllReduce, bytes, group, cluster.tiers,
                                           efficiency, Algorithm(), spec.runtime.collectives));
  return 2.0 * spec.model.layers * each;
}

OpCost serving_sampling_cost(const ClusterModel& cluster, const ServingSpec& spec,
                             const Execution& exec, int64_t sequences) {
  if (spec.runtime.sampling_us <= 0) return OpCost{};
  // The sampler's kernels read the full-vocabulary logits (fp32) a few times (softmax, top-k/p
  // sort and scan); their launches and small-batch floors are the fixed part.
  constexpr double kLogitPasses = 4;
  Op logits;
  logits.name = "sampling";
  logits.kind = OpKind::Vector;
  double elements = static_cast<double>(sequences) * spec.model.vocab;
  logits.flops = 5.0 * elements;
  logits.bytes = kLogitPasses * 4.0 * elements;
  Execution fixed = exec;
  fixed.kernel_gap_s = spec.runtime.sampling_us * 1e-6;
  return op_cost(cluster.chip, logits, spec.dtype, fixed);
}

IterationCost serving_iteration(const ClusterModel& cluster, const ServingSpec& spec,
                                int64_t sequences, int64_t new_tokens, int64_t context) {
  const auto& m = spec.model;
  PassShape pass = serving_pass_shape(spec, sequences, new_tokens, context);

  const Execution exec =
      spec.runtime.execution(cluster.chip, spec.state, cluster.host_speed(), spec.dtype);
  IterationCost cost;
  cost.host_s = spec.runtime.step_overhead_us * 1e-6 / cluster.host_speed();
  OpCost layer = ops_cost(cluster.chip, layer_forward_ops(m, pass), spec.dtype, exec);
  cost.compute = ops_cost(cluster.chip, embedding_forward_ops(m, pass), spec.dtype, exec);
  for (int64_t l = 0; l < m.layers; ++l) cost.compute += layer;
  // Only each sequence's last position goes through the LM head.
  PassShape last = pass;
  last.new_tokens = 1;
  cost.compute += ops_cost(cluster.chip, head_forward_ops(m, last, false), spec.dtype, exec);
  cost.compute += serving_sampling_cost(cluster, spec, exec, sequences);
  cost.tp_comm_s = serving_tp_comm_s(cluster, spec, sequences * new_tokens);
  cost.pp_comm_s = serving_pipeline_send_s(cluster, spec, sequences * new_tokens);
  cost.state = spec.state;
  return cost;
}

}  // namespace kcsim

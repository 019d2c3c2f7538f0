#include "sim/power/training_result.hpp"

#include <algorithm>

#include "hw-models/dvfs.hpp"
#include "hw-models/power_model.hpp"
#include "sim/power/energy_ledger.hpp"
#include "workloads/training_memory.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

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
  r.tp = s.tp;
  r.pp = s.pp;
  r.dp = s.dp;
  r.ep = s.ep;
  r.virtual_stages = s.virtual_stages;
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

TrainingRunTotals training_run_totals(const TrainingResult& iteration, double tokens) {
  constexpr double kJoulesPerMwh = 3.6e9;
  const double tokens_per_iteration =
      static_cast<double>(iteration.global_batch) * static_cast<double>(iteration.seq_len);
  TrainingRunTotals run;
  run.tokens = tokens;
  run.iterations = tokens / tokens_per_iteration;
  run.time_days = run.iterations * iteration.iteration_time_s / 86400;
  run.it_energy_mwh = run.iterations * iteration.energy.it_j / kJoulesPerMwh;
  run.facility_energy_mwh = run.iterations * iteration.energy.facility_j / kJoulesPerMwh;
  run.co2_t = run.iterations * iteration.energy.co2_kg / 1e3;
  run.cost_mkrw = run.iterations * iteration.energy.cost_krw / 1e6;
  return run;
}

}  // namespace kcsim

#include "sim/engines/analytical/analytical_serving.hpp"

#include <algorithm>
#include <cmath>

#include "hw-models/dvfs.hpp"
#include "hw-models/power_model.hpp"
#include "sim/cost/collectives.hpp"
#include "sim/power/energy_ledger.hpp"
#include "sim/power/serving_energy.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

ServingResult simulate_serving_analytical(const ClusterModel& cluster, const ServingSpec& spec) {
  const auto& m = spec.model;
  ServingResult r;
  r.cluster = cluster.name;
  r.chip = cluster.chip.name();
  r.model = m.name;
  r.engine = "analytical";
  r.dtype = dtype_name(spec.dtype);
  r.tp = spec.tp;
  r.pp = spec.pp;
  r.replicas = spec.replicas;
  r.devices = spec.tp * spec.pp * spec.replicas;
  r.batch_size = spec.batch_size;
  r.prompt_tokens = spec.prompt_tokens;
  r.output_tokens = spec.output_tokens;
  r.parameters = parameter_count(m);

  int64_t mean_context = spec.prompt_tokens + spec.output_tokens / 2;
  // Each phase under the device's power limit: the fastest state (or two alternating) whose
  // draw over the whole iteration fits.
  const std::vector<DvfsPoint> states = dvfs_states(cluster.chip, spec.clock_mhz);
  const double limit = power_limit_w(cluster.chip, spec.device_power_cap_w);
  auto phase = [&](int64_t new_tokens, int64_t context, double& speed, double& power_w) {
    ServingSpec at = spec;
    IterationCost cost =
        iteration_under_limit(cluster.chip, limit, states, [&](const DvfsPoint& s) {
          at.state = s;
          return serving_iteration(cluster, at, spec.batch_size, new_tokens, context);
        });
    speed = cost.compute.mean_clock(cost.state.speed);
    power_w = iteration_device_power_w(cluster.chip, cost);
    return cost;
  };
  IterationCost prefill =
      phase(spec.prompt_tokens, spec.prompt_tokens, r.prefill_speed, r.prefill_device_power_w);
  IterationCost decode = phase(1, mean_context, r.decode_speed, r.decode_device_power_w);
  r.device_power_cap_w = spec.device_power_cap_w;
  r.power_limit_w = limit;
  r.prefill_compute_power_w = busy_power(cluster.chip, prefill.compute).total_w();
  r.ttft_s = prefill.time_s();
  r.tpot_s = decode.time_s();
  double decode_steps = static_cast<double>(spec.output_tokens - 1);
  r.e2e_s = r.ttft_s + decode_steps * r.tpot_s;
  double tokens_per_batch = static_cast<double>(spec.batch_size) * spec.output_tokens;
  r.throughput_output_tokens_per_s = spec.replicas * tokens_per_batch / r.e2e_s;

  // Memory on the heaviest stage's devices, which bounds the batch.
  double weights = serving_weight_bytes_per_device(m, spec.dtype, spec.tp, spec.pp);
  double kv_token = serving_kv_bytes_per_token_per_device(m, spec.kv_dtype, spec.tp, spec.pp);
  double free_bytes = spec.memory_utilization * cluster.chip.memory_capacity_bytes() - weights -
                      serving_workspace_bytes();
  double per_sequence = kv_token * (spec.prompt_tokens + spec.output_tokens);
  r.max_batch_by_kv = free_bytes > 0 ? static_cast<int>(std::floor(free_bytes / per_sequence)) : 0;
  r.kv_bytes_per_token = kv_token * spec.tp * spec.pp;
  r.memory.weights_gib = weights / kGiB;
  r.memory.activations_gib =
      kv_token * spec.batch_size * (spec.prompt_tokens + spec.output_tokens) / kGiB;
  r.memory.workspace_gib = serving_workspace_bytes() / kGiB;
  r.memory.total_gib = r.memory.weights_gib + r.memory.activations_gib + r.memory.workspace_gib;
  r.memory.capacity_gib = cluster.chip.memory_capacity_bytes() / kGiB;

  // Energy of one batch on every replica: each iteration's devices at its compute's draw, in
  // collectives and waiting on the host at their states; their share of the servers, links and
  // the facility on top. A replica's compute is one chain of stages: one TP rank's chain of pp
  // devices spends what one device does plus its waiting stages.
  auto chain_energy = [&](const IterationCost& it, double times) {
    IterationEnergy e = iteration_device_energy(cluster.chip, it);
    e.device_j += pipeline_idle_j(cluster.chip, spec.pp, it);
    return IterationEnergy{e.device_j * times, e.memory_j * times};
  };
  IterationEnergy prefill_j = chain_energy(prefill, 1),
                  decode_j = chain_energy(decode, decode_steps);
  double chains = static_cast<double>(r.devices) / spec.pp;
  DeviceEnergy devices{chains * (prefill_j.device_j + decode_j.device_j),
                       chains * (prefill_j.memory_j + decode_j.memory_j)};
  LinkActivity links;
  double comm_s =
      prefill.tp_comm_s + prefill.pp_comm_s + decode_steps * (decode.tp_comm_s + decode.pp_comm_s);
  // The replicas' share of the cluster's links carries their traffic while they communicate.
  links.in_server = std::min(1.0, static_cast<double>(r.devices) / cluster.devices()) *
                    std::min(1.0, comm_s / r.e2e_s);
  r.energy = cluster_energy(cluster, devices, r.e2e_s, links, spec.replicas * tokens_per_batch,
                            {r.devices, spec.whole_servers});
  r.energy_per_output_token_j = r.energy.it_j / (spec.replicas * tokens_per_batch);
  r.avg_device_power_w = devices.total_j() / r.devices / r.e2e_s;
  r.device_energy_j = devices.total_j();
  r.device_power = {cluster.chip.idle_w(), waiting_power(cluster.chip, decode.state).total_w()};
  r.avg_it_power_w = r.energy.avg_it_power_w;
  r.output_tokens_per_s_per_kw = r.throughput_output_tokens_per_s / (r.avg_it_power_w / 1000);
  return r;
}

}  // namespace kcsim

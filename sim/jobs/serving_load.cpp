#include "sim/jobs/serving_load.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/engines/event/event_engine.hpp"
#include "sim/jobs/serving_metrics.hpp"
#include "sim/power/energy_ledger.hpp"

namespace kcsim {

ServingResult simulate_serving_load(const ClusterModel& cluster, const ServingSpec& spec,
                                    const ServingLoadOptions& options,
                                    const serving::RequestStream& requests) {
  // The options' own values were checked where they entered (serving_load_options); what is
  // checked here is what they mean for this cluster and spec.
  if (options.block_tokens < 1 || options.chunk_tokens < 1 || options.cluster_power_cap_w < 0) {
    throw std::invalid_argument("serving load options not from serving_load_options: block " +
                                std::to_string(options.block_tokens) + ", chunk " +
                                std::to_string(options.chunk_tokens) + " tokens, cluster cap " +
                                std::to_string(options.cluster_power_cap_w) + " W");
  }
  if (options.disaggregated) {
    int prefill = options.prefill_replicas > 0 ? options.prefill_replicas : spec.replicas / 2;
    if (spec.replicas < 2 || prefill < 1 || prefill >= spec.replicas) {
      throw InfeasibleError(fmt::format(
          "disaggregated serving needs at least one prefill and one decode replica (replicas "
          "{}, prefill pool {}); use --replicas 2 or more",
          spec.replicas, prefill));
    }
  }
  int64_t blocks = kv_blocks_per_replica(cluster, spec, options.block_tokens);
  if (blocks < 1) {
    throw InfeasibleError(fmt::format(
        "a tp-{} x pp-{} replica of {} on {} has no memory left for a KV block of {} tokens; use "
        "a larger tp or pp",
        spec.tp, spec.pp, spec.model.name, cluster.chip.name(), options.block_tokens));
  }

  if (options.cluster_power_cap_w > 0) {
    int used = spec.tp * spec.replicas;
    double floor = used * held_idle_w(cluster.chip) +
                   std::max(0, cluster.devices() - used) * cluster.chip.idle_w();
    if (options.cluster_power_cap_w <= floor) {
      throw InfeasibleError(fmt::format(
          "a cluster power cap of {:.0f} W leaves nothing to compute with: the {} devices draw "
          "{:.0f} W held idle; give more than {:.0f} W",
          options.cluster_power_cap_w, cluster.devices(), floor, floor));
    }
  }
  ServingResult result = simulate_serving_analytical(cluster, spec);
  result.engine = "event";
  auto output = event_engine().serving_loop(cluster, spec, options, requests, blocks);
  ServingLoadResult& load = result.load.emplace(std::move(output.load));
  load.scheduler = scheduler_name(options);
  load.router = options.router;
  load.arrivals = options.arrivals;
  load.block_tokens = options.block_tokens;
  load.kv_blocks_per_replica = blocks;
  load.kv_pool_per_device_gib =
      static_cast<double>(blocks) * static_cast<double>(options.block_tokens) *
      serving_kv_bytes_per_token_per_device(spec.model, spec.kv_dtype, spec.tp, spec.pp) /
      (1024.0 * 1024.0 * 1024.0);
  load.slo_ttft_s = options.slo_ttft_s;
  load.slo_tpot_s = options.slo_tpot_s;
  load.prefill_replicas =
      options.disaggregated
          ? (options.prefill_replicas > 0 ? options.prefill_replicas : spec.replicas / 2)
          : 0;
  load.decode_replicas = options.disaggregated ? spec.replicas - load.prefill_replicas : 0;
  summarize_requests(load);
  double t = load.simulated_time_s;
  load.requests_in_system_mean = t > 0 ? output.in_system_integral / t : 0;
  load.batch_size_mean =
      load.iterations > 0 ? output.batch_sequences_sum / static_cast<double>(load.iterations) : 0;

  // Energy: each replica's devices over its iterations and held idle between them (the serving
  // engine holds them the whole run); the job is charged its share of the servers.
  DeviceEnergy devices;
  double kv_sum = 0;
  for (auto& u : load.replica_use) {
    u.device_energy_j +=
        spec.tp * spec.pp * held_idle_w(cluster.chip) * std::max(0.0, t - u.busy_s);
    u.kv_utilization_mean = t > 0 ? u.kv_utilization_mean / (static_cast<double>(blocks) * t) : 0;
    devices.device_j += u.device_energy_j - u.memory_energy_j;
    devices.memory_j += u.memory_energy_j;
    kv_sum += u.kv_utilization_mean;
  }
  load.kv_utilization_mean =
      load.replica_use.empty() ? 0 : kv_sum / static_cast<double>(load.replica_use.size());
  double tokens = load.throughput_output_tokens_per_s * t;
  int held = spec.tp * spec.pp * spec.replicas;
  load.energy =
      cluster_energy(cluster, devices, t, output.links, tokens, {held, spec.whole_servers});
  load.energy_per_output_token_j = tokens > 0 ? load.energy.it_j / tokens : 0;
  double replica_j = 0;
  for (const auto& u : load.replica_use) replica_j += u.device_energy_j;
  load.avg_device_power_w = t > 0 && held > 0 ? replica_j / held / t : 0;
  load.device_energy_per_request_j =
      load.requests_completed > 0 ? replica_j / static_cast<double>(load.requests_completed) : 0;
  result.device_energy_j = replica_j;
  load.output_tokens_per_s_per_kw =
      load.energy.avg_it_power_w > 0
          ? load.throughput_output_tokens_per_s / (load.energy.avg_it_power_w / 1000)
          : 0;
  return result;
}

}  // namespace kcsim

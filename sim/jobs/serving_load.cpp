#include "sim/jobs/serving_load.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "configs/loader/dtype.hpp"
#include "configs/loader/errors.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/engines/event/event_engine.hpp"
#include "sim/jobs/serving_metrics.hpp"
#include "sim/power/energy_ledger.hpp"
#include "topology/cluster_topology.hpp"

namespace kcsim {
namespace {

// The options' own values were checked where they entered (serving_load_options); what is
// checked here is what they mean for this cluster and spec.
void check_options(const ServingLoadOptions& options) {
  if (options.block_tokens < 1 || options.chunk_tokens < 1 || options.cluster_power_cap_w < 0) {
    throw std::invalid_argument("serving load options not from serving_load_options: block " +
                                std::to_string(options.block_tokens) + ", chunk " +
                                std::to_string(options.chunk_tokens) + " tokens, cluster cap " +
                                std::to_string(options.cluster_power_cap_w) + " W");
  }
}

int64_t kv_blocks(const ClusterModel& cluster, const ServingSpec& spec,
                  const ServingLoadOptions& options) {
  int64_t blocks = kv_blocks_per_replica(cluster, spec, options.block_tokens);
  if (blocks < 1) {
    throw InfeasibleError(fmt::format(
        "a tp-{} x pp-{} replica of {} on {} has no memory left for a KV block of {} tokens; use "
        "a larger tp or pp",
        spec.tp, spec.pp, spec.model.name, cluster.chip.name(), options.block_tokens));
  }
  return blocks;
}

double kv_pool_per_device_gib(const ServingSpec& spec, int64_t blocks, int64_t block_tokens) {
  return static_cast<double>(blocks) * static_cast<double>(block_tokens) *
         serving_kv_bytes_per_token_per_device(spec.model, spec.kv_dtype, spec.tp, spec.pp) /
         (1024.0 * 1024.0 * 1024.0);
}

// What the engine counted, summarised: requests, latencies, batching.
void summarize_run(ServingLoadResult& load, const ServingLoadOptions& options,
                   const event::ServingLoopOutput& output) {
  load.scheduler = scheduler_name(options);
  load.router = options.router;
  load.arrivals = options.arrivals;
  load.block_tokens = options.block_tokens;
  load.slo_ttft_s = options.slo_ttft_s;
  load.slo_tpot_s = options.slo_tpot_s;
  summarize_requests(load);
  double t = load.simulated_time_s;
  load.requests_in_system_mean = t > 0 ? output.in_system_integral / t : 0;
  load.batch_size_mean =
      load.iterations > 0 ? output.batch_sequences_sum / static_cast<double>(load.iterations) : 0;
}

// The replicas [first, first + spec.replicas) of one pool over a run of `t` seconds: their
// devices over their iterations and held idle between them (the serving engine holds them the
// whole run); their KV use made a time average.
struct PoolDevices {
  DeviceEnergy devices;
  double replica_j = 0, kv_sum = 0, busy_sum = 0;
  long long iterations = 0;
};
PoolDevices pool_devices(ServingLoadResult& load, const ClusterModel& cluster,
                         const ServingSpec& spec, int first, int64_t blocks) {
  double t = load.simulated_time_s;
  PoolDevices pool;
  for (int r = first; r < first + spec.replicas; ++r) {
    auto& u = load.replica_use[static_cast<size_t>(r)];
    u.device_energy_j +=
        spec.tp * spec.pp * held_idle_w(cluster.chip) * std::max(0.0, t - u.busy_s);
    u.kv_utilization_mean = t > 0 ? u.kv_utilization_mean / (static_cast<double>(blocks) * t) : 0;
    pool.devices.device_j += u.device_energy_j - u.memory_energy_j;
    pool.devices.memory_j += u.memory_energy_j;
    pool.kv_sum += u.kv_utilization_mean;
    pool.replica_j += u.device_energy_j;
    pool.busy_sum += u.busy_s;
    pool.iterations += u.iterations;
  }
  return pool;
}

// Energy per token, per request and per kW, from the run's energy and the replicas' devices.
void per_unit_figures(ServingLoadResult& load, double replica_j, int held) {
  double t = load.simulated_time_s;
  double tokens = load.throughput_output_tokens_per_s * t;
  load.energy_per_output_token_j = tokens > 0 ? load.energy.it_j / tokens : 0;
  load.avg_device_power_w = t > 0 && held > 0 ? replica_j / held / t : 0;
  load.device_energy_per_request_j =
      load.requests_completed > 0 ? replica_j / static_cast<double>(load.requests_completed) : 0;
  load.output_tokens_per_s_per_kw =
      load.energy.avg_it_power_w > 0
          ? load.throughput_output_tokens_per_s / (load.energy.avg_it_power_w / 1000)
          : 0;
}

}  // namespace

ServingResult simulate_serving_load(const ClusterModel& cluster, const ServingSpec& spec,
                                    const ServingLoadOptions& options,
                                    const serving::RequestStream& requests) {
  check_options(options);
  if (options.disaggregated) {
    int prefill = options.prefill_replicas > 0 ? options.prefill_replicas : spec.replicas / 2;
    if (spec.replicas < 2 || prefill < 1 || prefill >= spec.replicas) {
      throw InfeasibleError(fmt::format(
          "disaggregated serving needs at least one prefill and one decode replica (replicas "
          "{}, prefill pool {}); use --replicas 2 or more",
          spec.replicas, prefill));
    }
  }
  int64_t blocks = kv_blocks(cluster, spec, options);
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
  auto output =
      event_engine().serving_loop({{cluster, spec, blocks}}, *cluster.topology, options, requests);
  ServingLoadResult& load = result.load.emplace(std::move(output.load));
  load.kv_blocks_per_replica = blocks;
  load.kv_pool_per_device_gib = kv_pool_per_device_gib(spec, blocks, options.block_tokens);
  load.prefill_replicas =
      options.disaggregated
          ? (options.prefill_replicas > 0 ? options.prefill_replicas : spec.replicas / 2)
          : 0;
  load.decode_replicas = options.disaggregated ? spec.replicas - load.prefill_replicas : 0;
  summarize_run(load, options, output);

  double t = load.simulated_time_s;
  PoolDevices pool = pool_devices(load, cluster, spec, 0, blocks);
  load.kv_utilization_mean =
      load.replica_use.empty() ? 0 : pool.kv_sum / static_cast<double>(load.replica_use.size());
  double tokens = load.throughput_output_tokens_per_s * t;
  int held = spec.tp * spec.pp * spec.replicas;
  load.energy =
      cluster_energy(cluster, pool.devices, t, output.links, tokens, {held, spec.whole_servers});
  per_unit_figures(load, pool.replica_j, held);
  result.device_energy_j = pool.replica_j;
  if (options.fleet_copies > 0) {
    load.fleet = serving_fleet_totals(load, options.fleet_copies, held);
  }
  return result;
}

ServingResult simulate_split_serving_load(const ClusterModel& prefill,
                                          const ServingSpec& prefill_spec,
                                          const ClusterModel& decode,
                                          const ServingSpec& decode_spec,
                                          const ServingLoadOptions& options,
                                          const serving::RequestStream& requests) {
  check_options(options);
  if (options.cluster_power_cap_w > 0) {
    throw InfeasibleError(
        "a cluster power cap is shared by one pool's replicas; disaggregated serving across "
        "pools caps each chip with its own device_power_cap_w");
  }
  int64_t prefill_blocks = kv_blocks(prefill, prefill_spec, options);
  int64_t decode_blocks = kv_blocks(decode, decode_spec, options);
  // The pools on one network, the prefill pool's devices first.
  auto network = topology::build_pooled_topology(
      prefill.name + "+" + decode.name,
      {{prefill.config, prefill.chip.config()}, {decode.config, decode.chip.config()}});

  // The closed form: the prefill pool's time to first token, the decode pool's time per token.
  ServingResult result = simulate_serving_analytical(prefill, prefill_spec);
  ServingResult decoding = simulate_serving_analytical(decode, decode_spec);
  result.engine = "event";
  result.chip = prefill.chip.name() + "+" + decode.chip.name();
  result.replicas = prefill_spec.replicas + decode_spec.replicas;
  result.devices = prefill_spec.tp * prefill_spec.pp * prefill_spec.replicas +
                   decode_spec.tp * decode_spec.pp * decode_spec.replicas;
  result.tpot_s = decoding.tpot_s;
  result.e2e_s =
      result.ttft_s + static_cast<double>(prefill_spec.output_tokens - 1) * result.tpot_s;

  const std::vector<ServingSide> sides = {{prefill, prefill_spec, prefill_blocks},
                                          {decode, decode_spec, decode_blocks}};
  auto output = event_engine().serving_loop(sides, network, options, requests);
  ServingLoadResult& load = result.load.emplace(std::move(output.load));
  load.kv_blocks_per_replica = decode_blocks;
  load.kv_pool_per_device_gib =
      kv_pool_per_device_gib(decode_spec, decode_blocks, options.block_tokens);
  load.prefill_replicas = prefill_spec.replicas;
  load.decode_replicas = decode_spec.replicas;
  summarize_run(load, options, output);

  // Each pool's devices, its share of its servers and links, and the facility; the run's
  // energy is the two added. The links' activity is the run's traffic on the joined network.
  double t = load.simulated_time_s;
  double tokens = load.throughput_output_tokens_per_s * t;
  double replica_j = 0, kv_sum = 0;
  int held_total = 0;
  for (size_t i = 0; i < sides.size(); ++i) {
    const ServingSide& side = sides[i];
    int first = i == 0 ? 0 : prefill_spec.replicas;
    PoolDevices pool = pool_devices(load, side.cluster, side.spec, first, side.kv_blocks);
    int held = side.spec.tp * side.spec.pp * side.spec.replicas;
    ServingPoolUse use;
    use.pool = side.cluster.name;
    use.role = i == 0 ? "prefill" : "decode";
    use.chip = side.cluster.chip.name();
    use.dtype = dtype_name(side.spec.dtype);
    use.kv_dtype = dtype_name(side.spec.kv_dtype);
    use.tp = side.spec.tp;
    use.pp = side.spec.pp;
    use.replicas = side.spec.replicas;
    use.devices = held;
    use.kv_blocks_per_replica = side.kv_blocks;
    use.iterations = pool.iterations;
    use.busy_fraction = t > 0 ? pool.busy_sum / side.spec.replicas / t : 0;
    use.avg_device_power_w = t > 0 ? pool.replica_j / held / t : 0;
    use.device_power_peak_w = output.side_power_peak_w.at(i);
    // Output tokens are the decode pool's: the prefill pool's energy buys none of its own.
    use.energy = cluster_energy(side.cluster, pool.devices, t, output.links, i == 1 ? tokens : 0,
                                {held, side.spec.whole_servers});
    load.energy = i == 0 ? use.energy : add_energy(load.energy, use.energy);
    load.pools.push_back(std::move(use));
    replica_j += pool.replica_j;
    kv_sum += pool.kv_sum;
    held_total += held;
  }
  load.kv_utilization_mean =
      load.replica_use.empty() ? 0 : kv_sum / static_cast<double>(load.replica_use.size());
  per_unit_figures(load, replica_j, held_total);
  result.device_energy_j = replica_j;
  if (options.fleet_copies > 0) {
    load.fleet = serving_fleet_totals(load, options.fleet_copies, held_total);
  }
  return result;
}

}  // namespace kcsim

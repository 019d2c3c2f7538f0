// What a simulation produces, as plain data with the unit in every name. The engines fill
// these; writers (JSON, tables) read them and know nothing of how they were computed.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "analysis/mix_plan_result.hpp"

namespace kcsim {

struct MemoryUse {
  double weights_gib = 0;
  double gradients_gib = 0;
  double optimizer_gib = 0;
  double activations_gib = 0;  // training: activations; serving: KV cache at the run's batch
  double workspace_gib = 0;
  double total_gib = 0;
  double capacity_gib = 0;
};

// Where one training iteration's time goes on the critical (slowest) pipeline stage.
// Where the iteration went, seen from one device: the first pipeline stage's, which finishes
// last under 1F1B (the event engine takes whichever device finished last). Both engines use these
// definitions, so the terms that are not `dp_comm_total_s` add up to the iteration time.
struct TrainingTime {
  double compute_s = 0;    // this device's forward and backward of every micro-batch
  double recompute_s = 0;  // forward passes repeated in backward
  double tp_comm_s = 0;    // tensor-parallel collectives, as far as they hold the device up
  // Tensor-parallel collectives of the backward hidden behind its GEMMs (not part of the sum).
  double tp_comm_overlapped_s = 0;
  double ep_comm_s = 0;  // MoE all-to-all
  // Pipeline sends, as far as they set the pipeline's steady pace: per micro-batch, the pace
  // less the busiest stage's own work.
  double pp_comm_s = 0;
  // Waiting for the slowest stage in steady state: the busiest device's compute and collectives
  // less this device's (the head's or the embedding's extra layers, a straggler).
  double stage_imbalance_s = 0;
  double bubble_s = 0;  // pipeline fill and drain: the pipeline waits that are neither of the above
  // The gradient reduction left after overlap with backward, on links it has to itself.
  double dp_comm_exposed_s = 0;
  // What the exposed reduction lost to other traffic on shared links (ECMP collisions, another
  // stage's reduction, an oversubscribed tier) beyond dp_comm_exposed_s.
  double dp_comm_contention_s = 0;
  double dp_comm_total_s = 0;  // the whole reduction on links it has to itself, overlapped or not
  double optimizer_s = 0;      // optimizer step
  // The terms above that add up to the iteration time (all but tp_comm_overlapped_s and
  // dp_comm_total_s).
  double sum_s() const {
    return compute_s + recompute_s + tp_comm_s + ep_comm_s + pp_comm_s + stage_imbalance_s +
           bubble_s + dp_comm_exposed_s + dp_comm_contention_s + optimizer_s;
  }
};

// Traffic a link carried over a run, per direction.
struct LinkUse {
  std::string name;
  double bytes = 0;
  double utilization = 0;  // bytes / (bandwidth x run time)
};

// A device's draw with no job, and held by one with no kernel running (between kernels, in a
// pipeline bubble, while a checkpoint is written), at the state it waits at.
struct DevicePowerLevels {
  double idle_w = 0;
  double held_w = 0;
};

// Where the energy of a run went, joules, and what it costs. IT = device + memory + link +
// network + server + storage; the facility adds cooling, conversion and lighting.
struct EnergyReport {
  double duration_s = 0;
  double device_j = 0;   // device floor, held-idle and compute power
  double memory_j = 0;   // memory traffic (in-memory PIM work included)
  double link_j = 0;     // links inside the servers (NVLink, PCIe)
  double network_j = 0;  // switches and links between servers
  double server_j = 0;   // the servers' own draw: the five parts below
  double server_cpu_j = 0, server_fixed_j = 0, server_switch_j = 0, server_fan_j = 0;
  double server_conversion_j = 0;  // the servers' power supplies
  double servers = 0;  // servers charged: the job's share of them, or every one it touches
  bool whole_servers = false;
  double storage_j = 0;
  double cooling_j = 0;
  double conversion_j = 0;
  double lighting_j = 0;
  double it_j = 0;
  double facility_j = 0;  // everything: the energy drawn from the grid
  double avg_it_power_w = 0;
  double avg_facility_power_w = 0;
  // One server as its power feed sees it: its devices, its own draw and its links.
  double avg_node_power_w = 0;
  double pue = 0;
  double co2_kg = 0;          // facility energy x grid intensity
  double cost_krw = 0;        // facility energy x electricity price
  double tokens = 0;          // tokens produced over the run (output tokens when serving)
  double tokens_per_kwh = 0;  // per facility kWh
};

// Samples of a run over its time: named columns, the unit in every name, each paired with the
// time column before it (time_s, bin_start_s). Empty when the engine produced none.
struct TimeSeries {
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;
  bool empty() const { return names.empty(); }
};

// A whole training run: the simulated iteration repeated until the run's tokens are consumed.
struct TrainingRunTotals {
  double tokens = 0;
  double iterations = 0;
  double time_days = 0;
  double it_energy_mwh = 0;
  double facility_energy_mwh = 0;
  double co2_t = 0;
  double cost_mkrw = 0;  // million KRW at the facility's electricity price
};

struct TrainingResult {
  std::string cluster, chip, model, engine, dtype, recompute;
  std::string network_model;  // the SimGrid model that ran (event engine)
  int devices = 0, tp = 1, pp = 1, dp = 1, ep = 1, virtual_stages = 1, zero_stage = 0;
  bool sequence_parallel = false;
  long long global_batch = 0, micro_batch = 0, micro_batches = 0, seq_len = 0;
  double parameters = 0;  // the model's parameter count

  double iteration_time_s = 0;
  double tokens_per_s = 0;
  double model_flops_per_iteration = 0;     // 6*N*D-style: forward + backward, no recompute
  double hardware_flops_per_iteration = 0;  // what the devices execute, recompute included
  double model_tflops_per_device = 0;
  double hardware_tflops_per_device = 0;
  double mfu = 0;  // model FLOP/s per device over the dtype's dense peak

  MemoryUse memory;
  TrainingTime time;

  double energy_per_iteration_j = 0;  // devices and servers (IT energy)
  double avg_it_power_w = 0;
  double avg_device_power_w = 0;
  double energy_per_token_j = 0;
  double tokens_per_s_per_kw = 0;

  std::vector<LinkUse> busiest_links;  // event engine: the most utilised links, busiest first

  EnergyReport energy;  // one iteration: the plan's devices and their share of the servers
  double device_power_cap_w = 0;   // 0: uncapped
  double power_limit_w = 0;        // the limit the devices ran under (the TDP unless capped)
  double compute_clock_speed = 1;  // relative clock of the compute, time-weighted
  double device_energy_j = 0;      // the plan's devices over the iteration (memory included)
  DevicePowerLevels device_power;
  // Event engine: time_s and device_power_w, the cluster's device power (memory included) as
  // steps, each held until the next sample; the last sample is at the iteration's end.
  TimeSeries series;
  // When the job gives the run's tokens; added after the engine ran (sim/jobs), so it never
  // crosses the event engine's process boundary.
  std::optional<TrainingRunTotals> run;
};

// One request of a load-driven serving run; times are -1 where the request never got there.
struct RequestRecord {
  long long id = 0;
  double arrival_s = 0, first_token_s = -1, finish_s = -1;
  long long input_tokens = 0, output_tokens = 0;
  int replica = -1;         // where it was routed (the prefill replica when disaggregated)
  int decode_replica = -1;  // disaggregated: where it was decoded
  int preemptions = 0;
  bool rejected = false;
};

// How one replica spent the run, for energy accounting.
struct ReplicaUse {
  int replica = 0;
  std::string pool;  // "mixed", "prefill" or "decode"
  long long iterations = 0;
  double busy_s = 0;               // time in iterations
  double compute_busy_s = 0;       // integral over iterations of the compute utilisation
  double memory_busy_s = 0;        // integral over iterations of the memory-bandwidth utilisation
  double kv_utilization_mean = 0;  // blocks in use over capacity, averaged over the run
  double device_energy_j = 0;      // all the replica's devices, iterations and idle time
  double memory_energy_j = 0;      // of which memory traffic
};

// One iteration of one replica (recorded on request): its time and the utilisations the power
// model needs.
struct IterationUse {
  int replica = 0;
  double start_s = 0, duration_s = 0;
  double compute_utilization = 0, memory_utilization = 0;
  int sequences = 0;
  long long prefill_tokens = 0;
  double dvfs_speed = 1;      // relative clock, time-weighted over the iteration
  double device_power_w = 0;  // one device's draw averaged over the iteration
};

// The serving cluster's device power from `time_s` until the next sample.
struct ClusterPowerSample {
  double time_s = 0;
  double power_w = 0;
};

// A serving run driven by a request stream on the event engine.
// A fleet of identical copies of the serving cluster, each serving the run's stream: its totals
// are the run's, times the copies, over a day and a year of the run's average power.
struct ServingFleetTotals {
  long long copies = 0;
  double servers = 0, devices = 0;
  double requests_per_s = 0, requests_per_day = 0;
  double avg_it_power_mw = 0, avg_facility_power_mw = 0;
  double it_energy_per_day_mwh = 0, facility_energy_per_day_mwh = 0;
  double it_energy_per_year_twh = 0, facility_energy_per_year_twh = 0;
  double co2_per_year_t = 0;
  double cost_per_year_billion_krw = 0;  // at the facility's electricity price
};

// One pool of a serving run disaggregated across chips: what it held, how busy it was, what it
// drew and what it cost.
struct ServingPoolUse {
  std::string pool, role, chip, dtype, kv_dtype;  // role: "prefill" or "decode"
  int tp = 1, pp = 1, replicas = 0, devices = 0;
  long long kv_blocks_per_replica = 0, iterations = 0;
  double busy_fraction = 0;        // its replicas' busy time over the run, averaged
  double avg_device_power_w = 0;   // its replicas' devices over the run
  double device_power_peak_w = 0;  // the most its devices drew at once
  EnergyReport energy;             // its devices, its share of servers and links, the facility
};

struct ServingLoadResult {
  std::string scheduler, router, arrivals, network_model;
  int prefill_replicas = 0, decode_replicas = 0;  // disaggregated pools
  long long kv_blocks_per_replica = 0, block_tokens = 0;
  long long requests_arrived = 0, requests_completed = 0, requests_rejected = 0;
  long long requests_in_flight = 0;
  double ttft_p50_s = 0, ttft_p90_s = 0, ttft_p99_s = 0, ttft_mean_s = 0;
  double tpot_p50_s = 0, tpot_p99_s = 0, tpot_mean_s = 0;
  double e2e_p50_s = 0, e2e_p99_s = 0, e2e_mean_s = 0;
  double slo_ttft_s = 0, slo_tpot_s = 0;  // 0: no objective
  double throughput_output_tokens_per_s = 0;
  double goodput_requests_per_s = 0;  // completed requests meeting both objectives
  double kv_utilization_mean = 0;
  double batch_size_mean = 0;  // sequences per iteration
  long long preemptions = 0, iterations = 0;
  double simulated_time_s = 0;
  double arrival_rate_per_s = 0;       // arrived / simulated time
  double requests_in_system_mean = 0;  // time average, counted by the engine
  double kv_transfer_bytes = 0;        // disaggregated: KV caches sent from prefill to decode
  double kv_conversion_bytes = 0;      // of those, converted to the decode pool's KV dtype
  double tp_allreduce_bytes = 0;       // tensor-parallel all-reduce buffers, summed per replica
  // Bytes times links crossed, on the links inside servers and between them (link energy).
  double link_bytes_in_server = 0, link_bytes_between_servers = 0;
  double cluster_power_cap_w = 0;                 // 0: none
  double cluster_power_peak_w = 0;                // the most the devices drew at once
  long long cap_throttled_iterations = 0;         // run below their state by the cluster cap
  std::vector<ClusterPowerSample> power_samples;  // with the iteration log
  EnergyReport energy;                            // the whole cluster over the run
  double energy_per_output_token_j = 0;           // IT energy per output token
  double kv_pool_per_device_gib = 0;              // the KV blocks' memory on each device
  double avg_device_power_w = 0;                  // the replicas' devices over the run
  double device_energy_per_request_j = 0;         // the replicas' devices per completed request
  double output_tokens_per_s_per_kw = 0;          // per kW of average IT power
  std::vector<ReplicaUse> replica_use;
  std::vector<RequestRecord> requests;
  std::vector<IterationUse> iteration_log;  // empty unless asked for
  std::optional<ServingFleetTotals> fleet;  // when the load is one share of a fleet
  // Disaggregated across chips: the prefill pool, then the decode pool; `energy` is theirs
  // added, and cluster_power_peak_w their peaks added (each pool keeps its own pace).
  std::vector<ServingPoolUse> pools;
};

struct ServingResult {
  std::string cluster, chip, model, engine, dtype;
  std::string runtime;  // the software stack priced (a runtime profile's name)
  int devices = 0, tp = 1, replicas = 1, batch_size = 1;
  int pp = 1;  // pipeline stages per replica
  long long prompt_tokens = 0, output_tokens = 0;
  double parameters = 0;

  double ttft_s = 0;
  double tpot_s = 0;
  double e2e_s = 0;  // one request: ttft + (output_tokens - 1) * tpot
  double throughput_output_tokens_per_s = 0;
  int max_batch_by_kv = 0;
  double kv_bytes_per_token = 0;  // per replica, all layers
  MemoryUse memory;               // per device

  double energy_per_output_token_j = 0;
  double avg_it_power_w = 0;
  double avg_device_power_w = 0;
  double output_tokens_per_s_per_kw = 0;

  EnergyReport energy;                         // one batch on every replica (the run's e2e time)
  double device_power_cap_w = 0;               // 0: uncapped
  double prefill_speed = 1, decode_speed = 1;  // DVFS state chosen per phase (relative speed)
  double power_limit_w = 0;  // the limit the devices ran under (the TDP unless capped)
  // One device's draw averaged over a prefill iteration and over a decode step (waits on
  // collectives and the host included).
  double prefill_device_power_w = 0, decode_device_power_w = 0;
  // The same while the prefill's kernels run (its collective and host waits left out): the
  // draw a power meter's peak sample sees during a long prefill.
  double prefill_compute_power_w = 0;
  double device_energy_j = 0;  // the replicas' devices over the batch (memory included)
  DevicePowerLevels device_power;
  std::optional<ServingLoadResult> load;  // a load-driven run (kcsim serve --rate | --trace)
};

}  // namespace kcsim

namespace kcsim {

// One cluster of a scenario and what each of its workloads gave; a workload that could not run
// there carries the reason instead.
// A layer-by-layer data-parallel step (a scenario's layer_workload).
struct LayerStepResult {
  std::string engine, network_model, collective_algorithm;
  int devices = 0;
  int layers = 0;
  double step_time_s = 0;
  double compute_s = 0;                // every layer's forward and backward
  double exposed_comm_s = 0;           // the step after the last backward: all-reduces not hidden
  double comm_total_s = 0;             // the all-reduces' own closed-form times, hidden or not
  std::vector<LinkUse> busiest_links;  // event engine: the most utilised link directions
};

struct ScenarioRun {
  std::string cluster;
  std::string chip;
  int devices = 0;
  double peak_it_power_kw = 0;  // devices at TDP plus server overhead
  // What ran; a workload the scenario names that could not run has its error instead.
  std::optional<TrainingResult> training;
  std::optional<ServingResult> serving;
  std::optional<LayerStepResult> layers;
  std::string training_error, serving_error, layers_error;
};

// A published figure beside kcsim's figure for the same quantity (scenario.proto, Claim).
struct ClaimCheck {
  std::string statement, cluster, metric, citation, assumptions;
  double published = 0;
  std::optional<double> simulated;  // absent when the run could not do the workload
  std::string error;                // why not
  // kcsim's figure over the published one (0 without a figure or with a published 0).
  double ratio() const { return simulated && published != 0 ? *simulated / published : 0.0; }
};

// One job under a shared power envelope: its demand, its share, and what it delivered alone and
// under the share. Training's throughput is tokens per second; serving's, output tokens per
// second, with its goodput and p99 TTFT beside.
struct EnvelopeShare {
  std::string job, cluster;  // "training" or "serving"
  double demand_w = 0;       // the most its cluster's devices draw with it running alone
  double share_w = 0;        // what the policy gave it
  bool throttled = false;    // its share is below its demand
  double limit_w = 0;        // how the share was kept: per device (training), summed (serving)
  double facility_w = 0;     // its cluster's draw from the grid at its share (facility budget)
  double alone_tokens_per_s = 0, shared_tokens_per_s = 0;
  double alone_goodput_requests_per_s = 0, shared_goodput_requests_per_s = 0;  // serving
  double alone_ttft_p99_s = 0, shared_ttft_p99_s = 0;                          // serving
  long long throttled_iterations = 0;  // serving: iterations its governor slowed
  double alone_energy_j = 0, shared_energy_j = 0;  // facility energy per unit of work: per
                                                   // iteration (training) or per run (serving)
  std::string error;  // the job cannot run under its share: why
  // The share of its throughput the job lost: 1 - shared / alone.
  double lost_fraction() const {
    return alone_tokens_per_s > 0 && error.empty() ? 1 - shared_tokens_per_s / alone_tokens_per_s
                                                   : 0.0;
  }
};

struct SharedEnvelopeResult {
  std::string policy;
  double device_power_budget_w = 0;
  double facility_power_budget_w = 0;  // 0: the budget was given as device power
  EnvelopeShare training, serving;
};

struct ScenarioResult {
  std::string name;
  std::string description;
  double it_power_budget_kw = 0;  // 0 when the scenario sets none
  std::vector<ScenarioRun> runs;
  std::vector<ClaimCheck> claims;
  std::optional<SharedEnvelopeResult> envelope;  // jobs side by side under one power budget
  std::optional<MixPlanResult> mix_plan;         // a mix of a cluster's pools, planned
};

// A Chakra trace replayed on the event engine: where each rank's time went.
struct RankTime {
  int rank = 0;
  double compute_s = 0;       // COMP and memory nodes
  double exposed_comm_s = 0;  // waiting on collectives and receives with nothing to compute
  double idle_s = 0;          // finished before the slowest rank
};

struct ReplayResult {
  std::string trace, cluster, chip, network_model;
  int ranks = 0;
  long long nodes = 0;
  double step_time_s = 0;  // the slowest rank
  EnergyReport energy;     // the whole cluster over the step
  std::vector<RankTime> rank_times;
  std::vector<LinkUse> busiest_links;
};

// A training or a serving run behind a figure; none when it could not run.
using WorkloadRun = std::variant<std::monostate, TrainingResult, ServingResult>;

// A published measurement next to what kcsim computes for it.
struct ValidationRow {
  std::string name;
  std::string citation;
  std::string metric;
  double published = 0;
  double simulated = 0;
  double tolerance = 0;      // relative
  double tolerance_abs = 0;  // absolute, when set (ratios: percentage points / 100)
  bool ratio = false;        // the metric is a ratio of two runs (ratio_to)
  std::string error;         // set when the case could not run
  WorkloadRun run;           // the full run behind the figure, as the case's workload says
  double relative_error() const { return published != 0 ? (simulated - published) / published : 0; }
  double absolute_error() const { return simulated - published; }
  bool within_tolerance() const;
};

// What fits in a facility power budget, and what it delivers.
struct EnvelopeResult {
  std::string chip, cluster, model, workload;  // workload: "serving" or "training"
  double power_budget_mw = 0;
  int max_racks = 0;              // 0: no limit
  std::string cooling;            // "air", "liquid" or "pue"
  double pue = 0;                 // at the servers' peak draw
  double server_peak_it_kw = 0;   // devices at TDP plus server overhead
  double server_facility_kw = 0;  // with its share of network, storage, cooling and losses
  double rack_power_kw = 0;
  int servers_per_rack = 0;
  int servers = 0, devices = 0, racks = 0;
  int devices_used = 0;  // by the workload's plan (whole replicas, a dp that divides the batch)
  double peak_facility_mw = 0;
  // What sets the device count (power, rack density) and what then limits throughput
  // (memory, network or compute), each with a sentence.
  std::string binding_constraint, binding_detail;
  std::string throughput_limit, throughput_detail;
  double tokens_per_s = 0;  // output tokens when serving
  double avg_it_power_mw = 0, avg_facility_power_mw = 0;
  double tokens_per_j = 0;         // per facility joule
  double tokens_per_s_per_mw = 0;  // per MW of average facility power
  WorkloadRun run;                 // the workload's run on the devices used
};

}  // namespace kcsim

// The kcsim subcommands as plain functions over option structs. Only main.cpp knows the
// command-line parser; each function writes its whole output to `out` only when it succeeds.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kcsim::cli {

struct Common {
  bool json = false;
  std::string configs;  // catalog root; empty: the default
};

// Shape flags that change a catalog model (`--layers` etc.); unset ones keep the catalog value.
struct ShapeOverrides {
  std::optional<int64_t> layers, hidden, heads, kv_heads, ffn, vocab;
};

// How the devices are powered and how the job is billed: a power limit below the TDP, the
// board's TDP itself, a locked clock, and whether whole servers are charged.
struct PowerFlags {
  std::optional<double> cap_w;      // unset: the TDP
  std::optional<double> tdp_w;      // unset: the chip's
  std::optional<double> clock_mhz;  // unset: not locked
  bool whole_servers = false;
};

struct TrainOptions {
  Common common;
  PowerFlags power;
  std::string model, chip, cluster;
  int devices = 0;
  int tp = 1, pp = 1, ep = 1, virtual_stages = 1, zero_stage = 1;
  int64_t global_batch = 0, micro_batch = 1, seq_len = 2048;
  std::string recompute = "selective";
  bool sequence_parallel = false;
  bool auto_plan = false;
  std::string dtype = "bf16";
  std::string engine = "analytical";
  std::string collective_algorithm = "auto";
  std::string runtime;  // a runtime profile (configs/runtimes/); default: megatron-lm
  std::vector<std::string> stragglers;  // "RANK:FACTOR", event engine
  bool reduce_symmetry = false;         // event engine: one data-parallel replica
  bool actor_per_device = false;        // event engine: no tensor-parallel groups
  std::string trace_out;                // event engine: Chrome/Perfetto trace file
  std::optional<double> run_tokens;     // the whole run's tokens: adds its totals
  ShapeOverrides shape;
};

struct ServeOptions {
  Common common;
  PowerFlags power;
  std::string model, chip, cluster;
  int devices = 0;              // the devices the job uses; default: tp * pp * replicas
  int tp = 0;                   // 0: the smallest that fits
  int pp = 1;                   // pipeline stages per replica
  std::optional<int> replicas;  // default: as many as --devices holds, else 1
  int batch_size = 1;
  int64_t prompt_tokens = 512, output_tokens = 128;
  std::string dtype = "bf16";
  std::string kv_dtype;
  std::string engine = "analytical";
  std::string runtime;  // a runtime profile (configs/runtimes/); default: vllm
  ShapeOverrides shape;
  // A request stream (--rate or --trace) runs the serving loop on the event engine.
  std::optional<double> rate_per_s, duration_s, slo_ttft_s, slo_tpot_s, arrival_cv;
  std::optional<double> cluster_power_cap_w;
  std::optional<int64_t> requests, block_tokens, chunk_tokens, fleet_copies;
  std::optional<int> max_batch, prefill_replicas;
  // Disaggregated across chips: the pool of the same cluster that decodes, and its replica.
  std::string decode_pool, decode_dtype, decode_kv_dtype;
  std::optional<int> decode_tp, decode_pp, decode_replicas;
  std::optional<uint64_t> seed;
  std::string trace, scheduler, router, input_lengths, output_lengths, requests_out;
  bool log_iterations = false;
  bool check_kv = false;  // debug mode: the KV accounting checked at every scheduler step
};

// `kcsim plan`: what fits a facility power budget, running a serving (default) or training job.
struct PlanOptions {
  Common common;
  double power_mw = 0;
  int racks = 0;  // 0: no rack limit
  std::string chip, cluster, model;
  std::string workload = "serving";
  std::string cooling;  // air | liquid; empty: the cluster's facility as configured
  std::string dtype = "bf16";
  int tp = 0, pp = 1;  // tp 0: serving picks the smallest that fits; training uses 1
  int batch_size = 8;
  int64_t prompt_tokens = 512, output_tokens = 128;
  int64_t global_batch = 0, micro_batch = 1, seq_len = 2048;
  std::string mix;        // a scenario file with a mix_plan
  std::string objective;  // replaces the mix plan's when given
};

// Each returns the process exit code; errors are thrown (InputError, InfeasibleError).
int train(const TrainOptions& options, std::ostream& out);
// The training plan the flags describe, written as Chakra traces PREFIX.RANK.et.
int export_chakra(const TrainOptions& options, const std::string& prefix, std::ostream& out);
int serve(const ServeOptions& options, std::ostream& out);
int run(const std::string& scenario, const Common& common, std::ostream& out);
int demo(const Common& common, std::ostream& out);
int chips(const Common& common, std::ostream& out);
// A Chakra trace (PREFIX.RANK.et files) replayed on a cluster (catalog name or file) of `nodes`
// servers (0: the file's, or for a catalog cluster enough to hold the trace).
int replay(const std::string& prefix, const std::string& cluster, int nodes,
           const std::string& trace_out, const Common& common, std::ostream& out);
// A catalog cluster (or a cluster file) as a graph: devices, switches, links, diameter, bisection.
int topo(const std::string& cluster, int nodes, const Common& common, std::ostream& out);
int models(const Common& common, std::ostream& out);
int runtimes(const Common& common, std::ostream& out);
// The serving schedulers, routers and collective algorithms a job may name, from their registries.
int policies(const Common& common, std::ostream& out);
// Exit 0 when every case is within its tolerance, 1 otherwise. With `only_case`, that case's
// full report follows the table.
int validate(const Common& common, const std::string& only_case, std::ostream& out);
int plan(const PlanOptions& options, std::ostream& out);

// `kcsim calibrate power`: a chip's power figures fitted over the catalog's cases of that chip
// (configs/validation/) or over a CSV of the user's measurements.
struct CalibrateOptions {
  Common common;
  std::string what = "power";
  std::string chip;          // the chip (or a variant of it) to fit; empty: every one with cases
  std::string measurements;  // a CSV of measured rows (then --chip is required)
  std::string out;           // write the fitted chip file here
  bool write = false;        // write the fitted figures into the catalog's chip files
  int max_evaluations = 600;
  std::vector<std::string> fields;  // the power fields to fit; empty: the default set
};
int calibrate(const CalibrateOptions& options, std::ostream& out);

// `kcsim sweep FILE --out results.h5`: every point of a sweep file, resumable.
struct SweepCommandOptions {
  Common common;
  std::string file, out, csv, engine;
  int jobs = 1;
  double timeout_s = 0;
  double rewrite_s = 1;  // at least this long between rebuilds of `out` while it runs
  bool no_resume = false;
  bool quiet = false;          // no progress on stderr
  long long print_point = -1;  // >= 0: print that point's scenario instead of running
};
int sweep(const SweepCommandOptions& options, std::ostream& out);

// `kcsim best results.h5`: the best rows by one metric under conditions, and a Pareto frontier.
struct BestOptions {
  Common common;
  std::string file, maximize, minimize, pareto;
  std::vector<std::string> where;
  int top = 10;
};
int best(const BestOptions& options, std::ostream& out);

// `kcsim report results.h5 -o report.html`: one self-contained HTML page.
struct ReportCommandOptions {
  Common common;
  std::string file, out, x, y;
};
int report(const ReportCommandOptions& options, std::ostream& out);

}  // namespace kcsim::cli

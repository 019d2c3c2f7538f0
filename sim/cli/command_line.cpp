// The kcsim command line. The one file that includes CLI11 (its header is slow to compile).
#include "sim/cli/command_line.hpp"

#include <algorithm>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/run_control.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cost/collective_algorithm.hpp"
#include "sim/cost/serving_load_options.hpp"
#include "workloads/serving/router.hpp"

namespace {

using namespace kcsim::cli;

void add_common(CLI::App* app, Common& common) {
  app->add_flag("--json", common.json, "Print one JSON object (keys carry units)");
  app->add_option("--configs", common.configs,
                  "Catalog folder (default: $KCSIM_CONFIG_DIR, else the source tree's configs/)");
}

void add_shape(CLI::App* app, ShapeOverrides& shape) {
  app->add_option("--layers", shape.layers, "Change the model's layer count");
  app->add_option("--hidden", shape.hidden, "Change the model's hidden size");
  app->add_option("--heads", shape.heads, "Change the model's attention heads");
  app->add_option("--kv-heads", shape.kv_heads, "Change the model's KV heads (GQA)");
  app->add_option("--ffn", shape.ffn, "Change the model's MLP hidden size");
  app->add_option("--vocab", shape.vocab, "Change the model's vocabulary");
}

void add_power(CLI::App* app, PowerFlags& power) {
  app->add_option("--power-cap-w", power.cap_w,
                  "Per-device power limit, W: work runs at the fastest DVFS state whose draw "
                  "fits (default: the TDP)");
  app->add_option("--tdp-w", power.tdp_w, "Set the chip's board power limit (TDP), W");
  app->add_option("--clock-mhz", power.clock_mhz,
                  "Lock the devices' clock, MHz (no DVFS state above it)");
  app->add_flag("--whole-servers", power.whole_servers,
                "Charge every server the job touches in full (default: its devices' share)");
}

void add_target(CLI::App* app, std::string& chip, std::string& cluster) {
  app->add_option("--chip", chip, "Catalog chip (kcsim chips); its catalog server is used");
  app->add_option("--cluster", cluster,
                  "Catalog cluster (configs/clusters/); name:pool for one pool of a mixed cluster");
}

// The flags that describe a training job: model, devices, parallel plan, batch, dtype.
void add_training_plan(CLI::App* app, TrainOptions& o) {
  app->add_option("--model", o.model, "Catalog model (kcsim models)")->required();
  add_target(app, o.chip, o.cluster);
  app->add_option("--devices", o.devices, "Devices in all; DP = devices / (TP x PP)")->required();
  app->add_option("--tp", o.tp, "Tensor-parallel degree")->capture_default_str();
  app->add_option("--pp", o.pp, "Pipeline-parallel degree")->capture_default_str();
  app->add_option("--ep", o.ep, "Expert-parallel degree (MoE)")->capture_default_str();
  app->add_option("--virtual-stages", o.virtual_stages, "Interleaved 1F1B chunks per device")
      ->capture_default_str();
  app->add_option("--zero", o.zero_stage, "ZeRO stage 0-3")->capture_default_str();
  app->add_option("--global-batch", o.global_batch, "Sequences per iteration")->required();
  app->add_option("--micro-batch", o.micro_batch, "Sequences per micro-batch")
      ->capture_default_str();
  app->add_option("--seq-len", o.seq_len, "Tokens per sequence")->capture_default_str();
  app->add_option("--recompute", o.recompute, "none | selective | full")->capture_default_str();
  app->add_flag("--sequence-parallel", o.sequence_parallel, "Megatron sequence parallelism");
  app->add_flag("--auto-plan", o.auto_plan,
                "Search TP, PP, recompute and ZeRO for the fastest plan that fits");
  app->add_option("--dtype", o.dtype, "bf16 | fp16 | fp8 | int8 | ...")->capture_default_str();
  app->add_option("--runtime", o.runtime,
                  "Training stack, a runtime profile (kcsim runtimes; default megatron-lm)");
  add_shape(app, o.shape);
  add_common(app, o.common);
}

// The word that names the subcommand: the first that is neither a flag of the program's own
// (--json, --configs DIR, --help, --version) nor --configs' value. Empty when there is none.
std::string subcommand_word(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--configs") {
      ++i;
    } else if (args[i].empty() || args[i][0] != '-') {
      return args[i];
    }
  }
  return "";
}

// Edits (insertions, deletions, substitutions) that turn `a` into `b`.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "unknown command", the nearest command when one is a typo away, and every command.
std::string unknown_command_message(const std::string& word, const std::vector<std::string>& all) {
  std::string message = "kcsim: unknown command '" + word + "'";
  const std::string* nearest = nullptr;
  size_t best = word.size() > 4 ? 3 : 2;  // two edits away at most, one for a short word
  for (const auto& name : all) {
    size_t d = edit_distance(word, name);
    if (d < best) best = d, nearest = &name;
  }
  if (nearest) message += "; did you mean '" + *nearest + "'?";
  message += "\nThe commands:";
  for (const auto& name : all) message += " " + name;
  return message + "\nRun with --help for more information.\n";
}

}  // namespace

namespace kcsim::cli {

int run_command_line(const std::vector<std::string>& args, std::ostream& output,
                     std::ostream& errors) {
  CLI::App app{
      "kcsim: simulate LLM training and serving on GPU and NPU clusters.\n"
      "With no subcommand, runs the K-Cloud demo (configs/scenarios/kcloud-demo.textproto)."};
  app.set_version_flag("--version", std::string("kcsim 0.1.0"));
  Common demo_common;
  add_common(&app, demo_common);
  // Only the subcommand the words name is defined, with its flags: defining them all costs more
  // than a fast command's own work, which a loop of calls from Python would pay each time. With
  // no subcommand named (the demo, --help) each is there, without its flags, for --help to list.
  const std::string named = subcommand_word(args);
  std::vector<std::string> commands;  // every subcommand's name, defined or not
  auto subcommand = [&](const std::string& name, const std::string& description) -> CLI::App* {
    commands.push_back(name);
    return named.empty() || name == named ? app.add_subcommand(name, description) : nullptr;
  };
  auto defining = [&named](const CLI::App* command) {
    return command && command->get_name() == named;
  };
  auto ran = [](const CLI::App* command) { return command && command->parsed(); };

  std::string scenario;
  Common run_common;
  auto* run_cmd = subcommand("run", "Run a scenario file (.textproto or .json)");
  if (defining(run_cmd)) {
    run_cmd->add_option("scenario", scenario, "Scenario file")->required();
    add_common(run_cmd, run_common);
  }

  TrainOptions t;
  auto* train_cmd = subcommand("train", "One training iteration: time, FLOP/s, memory, energy");
  if (defining(train_cmd)) {
    add_training_plan(train_cmd, t);
    train_cmd->add_option("--engine", t.engine, "analytical | event (SimGrid timeline)")
        ->capture_default_str();
    train_cmd
        ->add_option("--collective-algorithm", t.collective_algorithm,
                     "All-reduce between servers: " + kcsim::algorithm_names())
        ->capture_default_str();
    train_cmd->add_option("--straggler", t.stragglers,
                          "RANK:FACTOR: that device computes FACTOR times slower (event engine)");
    train_cmd->add_flag("--reduce-symmetry", t.reduce_symmetry,
                        "Event engine: simulate one data-parallel replica");
    train_cmd->add_flag("--actor-per-device", t.actor_per_device,
                        "Event engine: every device its own actor (slower; tensor-parallel "
                        "groups of alike ranks otherwise run as one)");
    train_cmd->add_option("--trace-out", t.trace_out,
                          "Event engine: write a Chrome/Perfetto trace (JSON) of the iteration");
    train_cmd->add_option("--run-tokens", t.run_tokens,
                          "Tokens of the whole run (e.g. 300e9): adds its days, MWh, CO2 and cost");
    add_power(train_cmd, t.power);
  }

  TrainOptions x;
  std::string export_prefix;
  auto* export_cmd = subcommand(
      "export-chakra", "Write a training plan as Chakra execution traces (PREFIX.RANK.et)");
  if (defining(export_cmd)) {
    add_training_plan(export_cmd, x);
    export_cmd
        ->add_option("--out", export_prefix, "Trace prefix: writes PREFIX.0.et, PREFIX.1.et, ...")
        ->required();
  }

  ServeOptions s;
  auto* serve_cmd = subcommand("serve", "Serving latency, throughput, KV capacity, energy");
  if (defining(serve_cmd)) {
    serve_cmd->add_option("--model", s.model, "Catalog model (kcsim models)")->required();
    add_target(serve_cmd, s.chip, s.cluster);
    serve_cmd->add_option("--tp", s.tp,
                          "Tensor-parallel degree per replica (default: smallest that fits)");
    serve_cmd->add_option("--pp", s.pp, "Pipeline stages per replica (must divide the layers)")
        ->capture_default_str();
    serve_cmd->add_option("--replicas", s.replicas,
                          "Model replicas (default: as many as --devices holds, else 1)");
    serve_cmd->add_option("--devices", s.devices,
                          "Devices the job uses (default: tp x pp x replicas)");
    serve_cmd->add_option("--batch-size", s.batch_size, "Sequences decoded together per replica")
        ->capture_default_str();
    serve_cmd->add_option("--prompt-tokens", s.prompt_tokens, "Input tokens per request")
        ->capture_default_str();
    serve_cmd->add_option("--output-tokens", s.output_tokens, "Output tokens per request")
        ->capture_default_str();
    serve_cmd->add_option("--dtype", s.dtype, "Weights and compute dtype")->capture_default_str();
    serve_cmd->add_option("--runtime", s.runtime,
                          "Serving stack, a runtime profile (kcsim runtimes; default vllm)");
    serve_cmd->add_option("--kv-dtype", s.kv_dtype, "KV-cache dtype (default: --dtype)");
    serve_cmd
        ->add_option("--engine", s.engine,
                     "analytical (one batch per replica; request streams run on the event "
                     "engine)")
        ->capture_default_str();
    add_power(serve_cmd, s.power);
    add_shape(serve_cmd, s.shape);
    add_common(serve_cmd, s.common);
    serve_cmd->add_option("--rate", s.rate_per_s,
                          "Serve a request stream: Poisson arrivals per second (event engine)");
    serve_cmd->add_option(
        "--trace", s.trace,
        "Serve a request trace: CSV with TIMESTAMP,ContextTokens,GeneratedTokens");
    serve_cmd->add_option("--requests", s.requests, "Stop the stream after N requests");
    serve_cmd->add_option("--duration-s", s.duration_s, "Stop the stream after this many seconds");
    serve_cmd->add_option("--scheduler", s.scheduler,
                          fmt::format("{} (default {})", kcsim::scheduler_names(),
                                      kcsim::ServingLoadOptions{}.policy));
    serve_cmd->add_option("--router", s.router,
                          fmt::format("{} (default {})", kcsim::serving::router_names(),
                                      kcsim::ServingLoadOptions{}.router));
    serve_cmd->add_option("--slo-ttft-s", s.slo_ttft_s, "Time-to-first-token objective (goodput)");
    serve_cmd->add_option("--slo-tpot-s", s.slo_tpot_s,
                          "Time-per-output-token objective (goodput)");
    serve_cmd->add_option("--block-size", s.block_tokens, "KV-cache block, tokens (default 16)");
    serve_cmd->add_option("--chunk-tokens", s.chunk_tokens,
                          "Chunked prefill: tokens per iteration (default 512)");
    serve_cmd->add_option("--max-batch", s.max_batch,
                          "Running sequences per replica (default: the runtime's, 256 for vllm)");
    serve_cmd->add_option("--prefill-replicas", s.prefill_replicas,
                          "Disaggregated: replicas in the prefill pool (default half)");
    serve_cmd->add_option("--arrival-cv", s.arrival_cv,
                          "Gamma arrivals with this coefficient of variation (1 = Poisson)");
    serve_cmd->add_option("--input-lengths", s.input_lengths,
                          "fixed | uniform:MIN:MAX | lognormal:MEAN:SIGMA | trace");
    serve_cmd->add_option("--output-lengths", s.output_lengths,
                          "fixed | uniform:MIN:MAX | lognormal:MEAN:SIGMA | trace");
    serve_cmd->add_option("--seed", s.seed, "Seed of the request stream (default 1)");
    serve_cmd->add_option("--requests-out", s.requests_out, "Write one CSV row per request");
    serve_cmd->add_option("--decode-pool", s.decode_pool,
                          "Disaggregated across chips: the pool of the same mixed cluster that "
                          "decodes (--cluster names the prefill pool as cluster:pool)");
    serve_cmd->add_option("--decode-tp", s.decode_tp, "Decode pool: tensor-parallel degree");
    serve_cmd->add_option("--decode-pp", s.decode_pp, "Decode pool: pipeline stages");
    serve_cmd->add_option("--decode-replicas", s.decode_replicas,
                          "Decode pool: replicas (default: as many as the pool holds)");
    serve_cmd->add_option("--decode-dtype", s.decode_dtype, "Decode pool: weights dtype");
    serve_cmd->add_option("--decode-kv-dtype", s.decode_kv_dtype,
                          "Decode pool: KV-cache dtype (a prefilled cache is converted to it)");
    serve_cmd->add_option("--fleet-copies", s.fleet_copies,
                          "The stream is one share of a fleet of this many copies of the cluster: "
                          "adds the fleet's requests, power and energy per day and year");
    serve_cmd->add_option("--cluster-power-cap-w", s.cluster_power_cap_w,
                          "Cap on the serving cluster's summed device power, W (DVFS governor)");
    serve_cmd->add_flag("--log-iterations", s.log_iterations,
                        "JSON: every iteration's time and utilisation (for energy integration)");
    serve_cmd->add_flag("--check-kv", s.check_kv,
                        "Debug: check the KV-cache accounting at every scheduler step (slower)");
  }

  Common chips_common, models_common, validate_common, topo_common, replay_common;
  std::string replay_prefix, replay_cluster, replay_trace_out;
  int replay_nodes = 0;
  auto* replay_cmd =
      subcommand("replay", "Replay a Chakra execution trace (PREFIX.RANK.et) on the event engine");
  if (defining(replay_cmd)) {
    replay_cmd
        ->add_option("prefix", replay_prefix, "Trace prefix: files PREFIX.0.et, PREFIX.1.et, ...")
        ->required();
    replay_cmd->add_option("--cluster", replay_cluster, "Catalog cluster name or cluster file")
        ->required();
    replay_cmd->add_option("--trace-out", replay_trace_out, "Write a Chrome/Perfetto trace (JSON)");
    replay_cmd
        ->add_option("--nodes", replay_nodes,
                     "Servers in the cluster (default: the file's; a catalog cluster grows to "
                     "hold the trace)")
        ->check(CLI::Range(1, 1000000));
    add_common(replay_cmd, replay_common);
  }
  int topo_nodes = 0;
  std::string topo_cluster;
  auto* topo_cmd = subcommand(
      "topo", "A cluster's network as a graph: devices, switches, links, diameter, bisection");
  if (defining(topo_cmd)) {
    topo_cmd
        ->add_option("cluster", topo_cluster,
                     "Catalog cluster name or cluster file (a cluster of pools shows each pool; "
                     "name:pool, one pool)")
        ->required();
    topo_cmd->add_option("--nodes", topo_nodes, "Servers in the cluster (default: the file's)")
        ->check(CLI::Range(1, 1000000));
    add_common(topo_cmd, topo_common);
  }
  auto* chips_cmd = subcommand("chips", "The chip catalog with key figures and sources");
  if (defining(chips_cmd)) {
    add_common(chips_cmd, chips_common);
  }
  auto* models_cmd = subcommand("models", "The model catalog with parameter counts");
  if (defining(models_cmd)) {
    add_common(models_cmd, models_common);
  }
  Common runtimes_common;
  auto* runtimes_cmd = subcommand(
      "runtimes", "The runtime profiles: the serving and training stacks and their fixed costs");
  if (defining(runtimes_cmd)) {
    add_common(runtimes_cmd, runtimes_common);
  }
  Common policies_common;
  auto* policies_cmd = subcommand(
      "policies", "The serving schedulers, routers and collective algorithms a job may name");
  if (defining(policies_cmd)) {
    add_common(policies_cmd, policies_common);
  }
  std::string validate_case;
  auto* validate_cmd =
      subcommand("validate", "Every case in configs/validation/ against its published measurement");
  if (defining(validate_cmd)) {
    validate_cmd->add_option("--case", validate_case, "Print this case's full report too");
    add_common(validate_cmd, validate_common);
  }

  CalibrateOptions calibrate_options;
  auto* calibrate_cmd = subcommand(
      "calibrate", "Fit a chip's power figures to measured cases and print the residuals");
  if (defining(calibrate_cmd)) {
    calibrate_cmd->add_option("what", calibrate_options.what, "What to fit: power")
        ->capture_default_str();
    calibrate_cmd->add_option("--chip", calibrate_options.chip,
                              "The chip to fit (its base chip's figures); default: every chip "
                              "with power cases");
    calibrate_cmd->add_option("--measurements", calibrate_options.measurements,
                              "CSV of your own measured rows (columns: workload, model, cluster or "
                              "chip, tp, batch, prompt_tokens, output_tokens, cap_w, clock_mhz, "
                              "measured_time_s, measured_power_w, ...)");
    calibrate_cmd->add_option("-o,--out", calibrate_options.out,
                              "Write the chip file with the fitted figures here");
    calibrate_cmd->add_flag("--write", calibrate_options.write,
                            "Write the fitted figures into the catalog's chip files");
    calibrate_cmd
        ->add_option("--max-evaluations", calibrate_options.max_evaluations,
                     "Runs of the cases the search may make")
        ->capture_default_str();
    calibrate_cmd->add_option(
        "--fit", calibrate_options.fields,
        "Power fields to fit (repeatable; default: held_above_idle_w, matrix_w, "
        "onchip_pj_per_bit, collective_w, voltage_floor, voltage_floor_mhz)");
    add_common(calibrate_cmd, calibrate_options.common);
  }

  PlanOptions p;
  auto* plan_cmd = subcommand(
      "plan", "Devices and racks that fit a facility power budget, and what they deliver");
  if (defining(plan_cmd)) {
    plan_cmd->add_option("--power-mw", p.power_mw,
                         "Facility power budget, MW (cooling included); with --mix, replaces the "
                         "plan's");
    plan_cmd->add_option("--model", p.model, "Catalog model (kcsim models); not with --mix");
    plan_cmd->add_option("--mix", p.mix,
                         "A scenario file with a mix_plan: the mix of a mixed cluster's pools that "
                         "meets its workloads (--cluster and --objective replace the plan's)");
    plan_cmd->add_option("--objective", p.objective, "With --mix: facility-power | cost");
    add_target(plan_cmd, p.chip, p.cluster);
    plan_cmd->add_option("--racks", p.racks, "Racks available (default: no limit)")
        ->check(CLI::Range(1, 1000000));
    plan_cmd->add_option("--cooling", p.cooling, "air | liquid (default: the cluster's facility)");
    plan_cmd->add_option("--workload", p.workload, "serving | training")->capture_default_str();
    plan_cmd->add_option("--dtype", p.dtype, "Weights and compute dtype")->capture_default_str();
    plan_cmd->add_option("--tp", p.tp,
                         "Tensor-parallel degree (serving default: smallest that fits)");
    plan_cmd->add_option("--pp", p.pp, "Training: pipeline-parallel degree")->capture_default_str();
    plan_cmd->add_option("--batch-size", p.batch_size, "Serving: sequences per replica batch")
        ->capture_default_str();
    plan_cmd->add_option("--prompt-tokens", p.prompt_tokens, "Serving: input tokens per request")
        ->capture_default_str();
    plan_cmd->add_option("--output-tokens", p.output_tokens, "Serving: output tokens per request")
        ->capture_default_str();
    plan_cmd->add_option("--global-batch", p.global_batch, "Training: sequences per iteration");
    plan_cmd->add_option("--micro-batch", p.micro_batch, "Training: sequences per micro-batch")
        ->capture_default_str();
    plan_cmd->add_option("--seq-len", p.seq_len, "Training: tokens per sequence")
        ->capture_default_str();
    add_common(plan_cmd, p.common);
  }

  SweepCommandOptions sweep_options;
  auto* sweep_cmd =
      subcommand("sweep", "Run every point of a sweep file (configs/sweeps/) into an HDF5 table");
  if (defining(sweep_cmd)) {
    sweep_cmd->add_option("sweep", sweep_options.file, "Sweep file")->required();
    sweep_cmd->add_option("--out", sweep_options.out,
                          "HDF5 file to write (resumed when it exists)");
    sweep_cmd->add_option("--csv", sweep_options.csv, "Also write the table as CSV");
    sweep_cmd->add_option("--jobs", sweep_options.jobs, "Worker processes")->capture_default_str();
    sweep_cmd->add_option("--engine", sweep_options.engine,
                          "analytical | event (default: the base scenario's)");
    sweep_cmd
        ->add_option("--timeout-s", sweep_options.timeout_s,
                     "Seconds a point may run before it is recorded as failed (0: no limit)")
        ->capture_default_str();
    sweep_cmd
        ->add_option("--rewrite-s", sweep_options.rewrite_s,
                     "Seconds at least between rebuilds of --out while the sweep runs")
        ->capture_default_str();
    sweep_cmd->add_flag("--no-resume", sweep_options.no_resume,
                        "Start over instead of skipping the points --out already holds");
    sweep_cmd->add_flag("--quiet", sweep_options.quiet, "No progress on stderr");
    sweep_cmd->add_option("--print-point", sweep_options.print_point,
                          "Print point N's scenario (a file kcsim run takes) and stop");
    add_common(sweep_cmd, sweep_options.common);
  }

  BestOptions best_options;
  auto* best_cmd = subcommand(
      "best", "The best points of a sweep's HDF5 file by one metric, and a Pareto frontier");
  if (defining(best_cmd)) {
    best_cmd->add_option("results", best_options.file, "HDF5 file from kcsim sweep")->required();
    best_cmd->add_option("--maximize", best_options.maximize, "Metric to maximize (column name)");
    best_cmd->add_option("--minimize", best_options.minimize, "Metric to minimize (column name)");
    best_cmd->add_option("--where", best_options.where,
                         "Conditions such as 'serving.ttft_s<0.5,chip==h100-sxm' (repeatable)");
    best_cmd->add_option("--pareto", best_options.pareto, "Frontier over two metrics: A:max,B:min");
    best_cmd->add_option("--top", best_options.top, "Rows to print")->capture_default_str();
    add_common(best_cmd, best_options.common);
  }

  ReportCommandOptions report_options;
  auto* report_cmd = subcommand(
      "report", "A self-contained HTML report of a sweep: frontier, chip comparison, every point");
  if (defining(report_cmd)) {
    report_cmd->add_option("results", report_options.file, "HDF5 file from kcsim sweep")
        ->required();
    report_cmd->add_option("-o,--out", report_options.out, "HTML file to write")->required();
    report_cmd->add_option("--x", report_options.x,
                           "Frontier x metric, METRIC:min or METRIC:max (default: by workload)");
    report_cmd->add_option("--y", report_options.y, "Frontier y metric, METRIC:min or METRIC:max");
    add_common(report_cmd, report_options.common);
  }

  if (!named.empty() && std::find(commands.begin(), commands.end(), named) == commands.end()) {
    errors << unknown_command_message(named, commands);
    return 2;
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // as CLI11 takes them
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, output, errors);
    return code == 0 ? 0 : 2;
  }

  // Output is composed in full before it is printed: an error leaves nothing half-written.
  std::ostringstream out;
  int code = 0;
  try {
    if (ran(run_cmd))
      code = run(scenario, run_common, out);
    else if (ran(train_cmd))
      code = train(t, out);
    else if (ran(export_cmd))
      code = export_chakra(x, export_prefix, out);
    else if (ran(serve_cmd))
      code = serve(s, out);
    else if (ran(chips_cmd))
      code = chips(chips_common, out);
    else if (ran(models_cmd))
      code = models(models_common, out);
    else if (ran(runtimes_cmd))
      code = runtimes(runtimes_common, out);
    else if (ran(policies_cmd))
      code = policies(policies_common, out);
    else if (ran(replay_cmd))
      code =
          replay(replay_prefix, replay_cluster, replay_nodes, replay_trace_out, replay_common, out);
    else if (ran(topo_cmd))
      code = topo(topo_cluster, topo_nodes, topo_common, out);
    else if (ran(validate_cmd))
      code = validate(validate_common, validate_case, out);
    else if (ran(plan_cmd))
      code = plan(p, out);
    else if (ran(calibrate_cmd))
      code = calibrate(calibrate_options, out);
    else if (ran(sweep_cmd))
      code = sweep(sweep_options, out);
    else if (ran(best_cmd))
      code = best(best_options, out);
    else if (ran(report_cmd))
      code = report(report_options, out);
    else
      code = demo(demo_common, out);
  } catch (const kcsim::InputError& e) {
    errors << "kcsim: " << e.what() << "\n";
    return 2;
  } catch (const kcsim::InfeasibleError& e) {
    errors << "kcsim: infeasible: " << e.what() << "\n";
    return 3;
  } catch (const kcsim::InterruptedError&) {
    errors << "kcsim: interrupted\n";
    return kExitInterrupted;
  } catch (const std::exception& e) {
    errors << "kcsim: internal error: " << e.what() << "\n";
    return 1;
  }
  output << out.str();
  return code;
}

int run_command_line(const std::vector<std::string>& args, Json* json, std::ostream& errors) {
  std::ostringstream output;
  JsonCapture capture(json);
  return run_command_line(args, output, errors);
}

}  // namespace kcsim::cli

// `kcsim train`, `kcsim export-chakra` and `kcsim serve`: a job built from flags, run on the
// cluster the flags name.
#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "analysis/serving_load_report.hpp"
#include "analysis/text_report.hpp"
#include "configs/loader/dtype.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/flag_values.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cli/serve_load_flags.hpp"
#include "sim/cli/support.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/jobs/chakra_export.hpp"
#include "sim/jobs/engine_choice.hpp"
#include "sim/jobs/jobs.hpp"

namespace kcsim::cli {
namespace {

// How much slower (or faster) a straggler's compute may run than the others'.
constexpr double kMinStraggler = 0.01, kMaxStraggler = 100;

// "RANK:FACTOR" pairs.
EventOptions event_options(const TrainOptions& o) {
  EventOptions options;
  options.reduce_symmetry = o.reduce_symmetry;
  options.actor_per_device = o.actor_per_device;
  options.trace_out = o.trace_out;
  for (const auto& text : o.stragglers) {
    auto colon = text.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument(text);
      size_t used_rank = 0, used_factor = 0;
      int rank = std::stoi(text.substr(0, colon), &used_rank);
      double factor = std::stod(text.substr(colon + 1), &used_factor);
      if (used_rank != colon || used_factor != text.size() - colon - 1) {
        throw std::invalid_argument(text);
      }
      if (!(factor >= kMinStraggler && factor <= kMaxStraggler)) {
        throw_input_error(Origin{}, "--straggler",
                          fmt::format("\"{}\": the factor must lie in [{:g}, {:g}]", text,
                                      kMinStraggler, kMaxStraggler));
      }
      options.stragglers.emplace_back(rank, factor);
    } catch (const InputError&) {
      throw;
    } catch (const std::exception&) {
      throw_input_error(Origin{}, "--straggler",
                        fmt::format("\"{}\" is not RANK:FACTOR (e.g. 3:1.5)", text));
    }
  }
  return options;
}

config::Model shape_overrides(const ShapeOverrides& shape) {
  config::Model m;
  if (shape.layers) m.set_layers(*shape.layers);
  if (shape.hidden) m.set_hidden(*shape.hidden);
  if (shape.heads) m.set_heads(*shape.heads);
  if (shape.kv_heads) m.set_kv_heads(*shape.kv_heads);
  if (shape.ffn) m.set_ffn_hidden(*shape.ffn);
  if (shape.vocab) m.set_vocab(*shape.vocab);
  return m;
}

config::Recompute recompute_flag(const std::string& value) {
  if (value == "none") return config::NONE;
  if (value == "selective") return config::SELECTIVE;
  if (value == "full") return config::FULL;
  throw_input_error(Origin{}, "--recompute",
                    fmt::format("unknown mode \"{}\"; use none, selective or full", value));
}

// A finite number in (0, limit), or the flag's error.
void require_in_range(double value, double limit, const char* flag, const char* unit) {
  if (!(value > 0 && value < limit)) {
    throw_input_error(
        Origin{}, flag,
        fmt::format("must be a positive number of {} below {:g} (got {})", unit, limit, value));
  }
}

// The cluster with the power flags applied: --tdp-w replaces the chip's board limit.
config::Cluster with_power_flags(config::Cluster cluster, const PowerFlags& power) {
  if (power.tdp_w) {
    require_in_range(*power.tdp_w, 1e5, "--tdp-w", "W");
    cluster.mutable_node()->mutable_chip_overrides()->mutable_power()->set_tdp_w(*power.tdp_w);
  }
  return cluster;
}

void check_power_flags(const PowerFlags& power) {
  if (power.cap_w) require_in_range(*power.cap_w, 1e5, "--power-cap-w", "W");
  if (power.clock_mhz) require_in_range(*power.clock_mhz, 1e5, "--clock-mhz", "MHz");
}

// The job the training flags describe.
config::TrainingJob training_job(const TrainOptions& o) {
  if (o.devices <= 0) throw_input_error(Origin{}, "--devices", "must be positive");
  if (o.global_batch <= 0) throw_input_error(Origin{}, "--global-batch", "must be positive");
  config::TrainingJob job;
  job.set_model(o.model);
  *job.mutable_model_overrides() = shape_overrides(o.shape);
  job.set_global_batch(o.global_batch);
  job.set_micro_batch(o.micro_batch);
  job.set_seq_len(o.seq_len);
  job.set_dtype(dtype_flag(o.dtype, "--dtype"));
  job.set_devices(o.devices);
  job.set_auto_plan(o.auto_plan);
  job.set_collective_algorithm(o.collective_algorithm);
  if (!o.runtime.empty()) job.mutable_runtime()->set_profile(o.runtime);
  check_power_flags(o.power);
  job.set_device_power_cap_w(o.power.cap_w.value_or(0));
  job.set_device_clock_mhz(o.power.clock_mhz.value_or(0));
  job.set_charge_whole_servers(o.power.whole_servers);
  if (o.run_tokens) job.set_run_tokens(*o.run_tokens);
  auto* plan = job.mutable_plan();
  plan->set_tp(o.tp);
  plan->set_pp(o.pp);
  plan->set_ep(o.ep);
  plan->set_virtual_stages(o.virtual_stages);
  plan->set_zero_stage(o.zero_stage);
  plan->set_sequence_parallel(o.sequence_parallel);
  plan->set_recompute(recompute_flag(o.recompute));
  check_flag_values(job);
  return job;
}

}  // namespace

int train(const TrainOptions& o, std::ostream& out) {
  const Engine& engine = engine_named(o.engine, Origin{}, "--engine");
  config::TrainingJob job = training_job(o);
  auto catalog = catalog_of(o.common);
  ClusterModel cluster = resolve_cluster(
      with_power_flags(cluster_for(catalog, o.cluster, o.chip, o.devices), o.power), catalog);
  TrainingResult result = run_training_job(job, cluster, catalog, {}, engine, event_options(o));
  if (o.common.json)
    print_json(out, to_json(result));
  else
    out << format_training(result);
  return 0;
}

int export_chakra(const TrainOptions& o, const std::string& prefix, std::ostream& out) {
  config::TrainingJob job = training_job(o);
  auto catalog = catalog_of(o.common);
  ClusterModel cluster =
      resolve_cluster(cluster_for(catalog, o.cluster, o.chip, o.devices), catalog);
  PlannedTraining planned = plan_training_job(job, cluster, catalog);
  ChakraExport written = export_training_chakra(cluster, planned.spec, prefix);
  if (o.common.json) {
    print_json(out, Json{{"prefix", prefix},
                         {"ranks", written.ranks},
                         {"nodes", written.nodes},
                         {"files", written.files},
                         {"removed_files", written.removed},
                         {"iteration_time_s", planned.result.iteration_time_s},
                         {"engine", planned.result.engine}});
    return 0;
  }
  out << fmt::format("wrote {} Chakra traces ({} nodes) to {}.0.et ... {}.{}.et\n", written.ranks,
                     written.nodes, prefix, prefix, written.ranks - 1);
  if (!written.removed.empty()) {
    out << fmt::format("removed {} rank files of an earlier, larger trace ({} ... {})\n",
                       written.removed.size(), written.removed.front(), written.removed.back());
  }
  out << fmt::format("plan: tp {} pp {} dp {}, {} micro-batches; analytical iteration {:.4f} s\n",
                     planned.result.tp, planned.result.pp, planned.result.dp,
                     planned.result.micro_batches, planned.result.iteration_time_s);
  out << fmt::format("replay it with: kcsim replay {} --cluster {}\n", prefix, cluster.name);
  return 0;
}

int serve(const ServeOptions& o, std::ostream& out) {
  const Engine& engine = engine_named(o.engine, Origin{}, "--engine");
  if (o.replicas && *o.replicas <= 0) throw_input_error(Origin{}, "--replicas", "must be positive");
  if (o.devices < 0) throw_input_error(Origin{}, "--devices", "must be positive");
  if (o.pp <= 0) throw_input_error(Origin{}, "--pp", "must be positive");
  check_power_flags(o.power);
  if (!o.requests_out.empty()) check_outputs({{o.requests_out, "--requests-out"}}, {o.trace});
  auto catalog = catalog_of(o.common);

  config::ServingJob job;
  job.set_model(o.model);
  *job.mutable_model_overrides() = shape_overrides(o.shape);
  job.set_dtype(dtype_flag(o.dtype, "--dtype"));
  if (!o.kv_dtype.empty()) job.set_kv_dtype(dtype_flag(o.kv_dtype, "--kv-dtype"));
  if (!o.runtime.empty()) job.mutable_runtime()->set_profile(o.runtime);
  job.set_batch_size(o.batch_size);
  job.set_prompt_tokens(o.prompt_tokens);
  job.set_output_tokens(o.output_tokens);
  if (o.tp > 0) job.set_tp(o.tp);
  job.set_pp(o.pp);
  job.set_device_power_cap_w(o.power.cap_w.value_or(0));
  job.set_device_clock_mhz(o.power.clock_mhz.value_or(0));
  job.set_charge_whole_servers(o.power.whole_servers);
  if (o.replicas) job.set_replicas(*o.replicas);
  apply_load_flags(o, job);
  check_flag_values(job);

  // The replica's tp: given, else the smallest that fits, as the job's spec chooses it on a
  // cluster with room for any tp (nothing is run).
  int tp = o.tp;
  if (tp <= 0) {
    config::Cluster wide = with_power_flags(cluster_for(catalog, o.cluster, o.chip, 0), o.power);
    wide.set_nodes(std::max(1, 64 / std::max(1, wide.node().devices_per_node())));
    config::ServingJob probe = job;
    probe.set_replicas(1);
    probe.clear_load();
    tp = serving_job_spec(probe, resolve_cluster(wide, catalog), catalog).tp;
    job.set_tp(tp);
  }
  // --devices is what the job uses: replicas fill it unless given, and never overflow it.
  long long per_replica = static_cast<long long>(tp) * o.pp;
  long long replicas = o.replicas ? *o.replicas : (o.devices > 0 ? o.devices / per_replica : 1);
  if (replicas * per_replica > kMaxClusterDevices) {
    throw InfeasibleError(fmt::format(
        "too large to simulate: {} replica(s) of tp {} x pp {} = {} devices, limit {}", replicas,
        tp, o.pp, replicas * per_replica, kMaxClusterDevices));
  }
  if (o.devices > 0 && replicas * per_replica > o.devices) {
    throw_input_error(
        Origin{}, "--devices",
        fmt::format("{} devices hold {} replica(s) of tp {} x pp {}, not {}; give --devices {} or "
                    "fewer replicas",
                    o.devices, o.devices / per_replica, tp, o.pp, replicas,
                    replicas * per_replica));
  }
  if (replicas < 1) {
    throw_input_error(Origin{}, "--devices",
                      fmt::format("{} devices cannot hold one replica of tp {} x pp {} ({} "
                                  "devices): give --devices {} or more",
                                  o.devices, tp, o.pp, per_replica, per_replica));
  }
  job.set_replicas(static_cast<int>(replicas));
  config::Cluster cluster_config = with_power_flags(
      cluster_for(catalog, o.cluster, o.chip, static_cast<int>(replicas * per_replica)), o.power);
  ServingResult result = run_serving_job(job, resolve_cluster(cluster_config, catalog), catalog, {}, engine);
  if (!o.requests_out.empty()) write_requests_csv(o.requests_out, result.load.value());
  if (o.common.json)
    print_json(out, to_json(result));
  else
    out << format_serving(result);
  return 0;
}

}  // namespace kcsim::cli

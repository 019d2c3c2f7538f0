#include "analysis/text_report.hpp"

#include <cmath>

#include <fmt/format.h>

#include "analysis/serving_load_report.hpp"
#include "analysis/table.hpp"

namespace kcsim {
namespace {

std::string pct(double fraction) { return fmt::format("{:.1f} %", fraction * 100); }

std::string memory_line(const MemoryUse& m, bool training) {
  if (training) {
    return fmt::format(
        "  memory per device     {:.1f} GiB of {:.1f} GiB (weights {:.1f}, gradients {:.1f}, "
        "optimizer {:.1f}, activations {:.1f}, workspace {:.1f})\n",
        m.total_gib, m.capacity_gib, m.weights_gib, m.gradients_gib, m.optimizer_gib,
        m.activations_gib, m.workspace_gib);
  }
  return fmt::format(
      "  memory per device     {:.1f} GiB of {:.1f} GiB (weights {:.1f}, KV cache {:.1f}, "
      "workspace {:.1f})\n",
      m.total_gib, m.capacity_gib, m.weights_gib, m.activations_gib, m.workspace_gib);
}

}  // namespace

std::string format_training(const TrainingResult& r) {
  std::string out = fmt::format(
      "training {} ({:.1f} B parameters) on {} x {} [{}], engine {}\n", r.model,
      r.parameters / 1e9, r.devices, r.chip, r.cluster, r.engine);
  out += fmt::format(
      "  plan                  tp {} x pp {} x dp {} (ep {}, virtual stages {}), sequence "
      "parallel {}, recompute {}, ZeRO {}, {}\n",
      r.tp, r.pp, r.dp, r.ep, r.virtual_stages, r.sequence_parallel ? "on" : "off", r.recompute,
      r.zero_stage, r.dtype);
  out += fmt::format("  batch                 {} sequences of {} tokens, micro-batch {} ({} per pipeline)\n",
                     r.global_batch, r.seq_len, r.micro_batch, r.micro_batches);
  out += fmt::format("  iteration time        {:.4f} s\n", r.iteration_time_s);
  out += fmt::format("  throughput            {:.0f} tokens/s\n", r.tokens_per_s);
  out += fmt::format("  model TFLOP/s/device  {:.1f} (MFU {}), hardware {:.1f}\n",
                     r.model_tflops_per_device, pct(r.mfu), r.hardware_tflops_per_device);
  out += memory_line(r.memory, true);
  const auto& t = r.time;
  out += fmt::format(
      "  time breakdown        compute {:.3f} s, recompute {:.3f} s, TP comm {:.3f} s, PP comm "
      "{:.3f} s, EP comm {:.3f} s, bubble {:.3f} s, DP comm exposed {:.3f} s (of {:.3f} s), "
      "optimizer {:.3f} s\n",
      t.compute_s, t.recompute_s, t.tp_comm_s, t.pp_comm_s, t.ep_comm_s, t.bubble_s,
      t.dp_comm_exposed_s, t.dp_comm_total_s, t.optimizer_s);
  out += fmt::format("  energy                {:.0f} J per iteration, {:.3f} J per token\n",
                     r.energy_per_iteration_j, r.energy_per_token_j);
  out += fmt::format("  power                 {:.1f} kW IT average ({:.0f} W per device)\n",
                     r.avg_it_power_w / 1000, r.avg_device_power_w);
  if (!r.network_model.empty()) {
    out += fmt::format("  network model         {} (SimGrid)\n", r.network_model);
  }
  for (size_t i = 0; i < r.busiest_links.size(); ++i) {
    const auto& link = r.busiest_links[i];
    out += fmt::format("  {}{} {} busy ({:.2f} GB)\n", i == 0 ? "busiest links         " : "                      ",
                       link.name, pct(link.utilization), link.bytes / 1e9);
  }
  return out;
}

std::string format_serving(const ServingResult& r) {
  std::string out = fmt::format(
      "serving {} ({:.1f} B parameters) on {} x {} [{}], engine {}\n", r.model,
      r.parameters / 1e9, r.devices, r.chip, r.cluster, r.engine);
  out += fmt::format("  replicas              {} of tp {}, batch {}, {} prompt + {} output tokens, {}\n",
                     r.replicas, r.tp, r.batch_size, r.prompt_tokens, r.output_tokens, r.dtype);
  out += fmt::format("  time to first token   {:.2f} ms\n", r.ttft_s * 1e3);
  out += fmt::format("  time per output token {:.2f} ms\n", r.tpot_s * 1e3);
  out += fmt::format("  request latency       {:.3f} s\n", r.e2e_s);
  out += fmt::format("  throughput            {:.0f} output tokens/s\n",
                     r.throughput_output_tokens_per_s);
  out += fmt::format("  max batch by KV cache {} sequences\n", r.max_batch_by_kv);
  out += memory_line(r.memory, false);
  out += fmt::format("  energy                {:.3f} J per output token\n",
                     r.energy_per_output_token_j);
  out += fmt::format("  power                 {:.1f} kW IT average ({:.0f} W per device)\n",
                     r.avg_it_power_w / 1000, r.avg_device_power_w);
  if (r.has_load) out += format_serving_load(r.load);
  return out;
}

std::string format_scenario(const ScenarioResult& r) {
  std::string out = fmt::format("{}\n", r.name);
  if (!r.description.empty()) out += fmt::format("{}\n", r.description);
  if (r.it_power_budget_kw > 0) {
    out += fmt::format("IT power budget per cluster: {:.0f} kW\n", r.it_power_budget_kw);
  }
  bool any_serving = false, any_training = false;
  for (const auto& run : r.runs) {
    any_serving |= run.has_serving || !run.serving_error.empty();
    any_training |= run.has_training || !run.training_error.empty();
  }
  std::vector<std::string> notes;
  if (any_serving) {
    Table table({"cluster", "chip", "devices", "tp x replicas", "TTFT ms", "TPOT ms",
                 "output tok/s", "IT kW", "J/token", "tok/s per kW"});
    for (const auto& run : r.runs) {
      if (!run.has_serving) {
        table.add_row({run.cluster, run.chip, std::to_string(run.devices), "does not run"});
        notes.push_back(fmt::format("{} serving: {}", run.cluster, run.serving_error));
        continue;
      }
      const auto& s = run.serving;
      table.add_row({run.cluster, run.chip, std::to_string(run.devices),
                     fmt::format("{} x {}", s.tp, s.replicas), fmt::format("{:.1f}", s.ttft_s * 1e3),
                     fmt::format("{:.2f}", s.tpot_s * 1e3),
                     fmt::format("{:.0f}", s.throughput_output_tokens_per_s),
                     fmt::format("{:.1f}", s.avg_it_power_w / 1e3),
                     fmt::format("{:.3f}", s.energy_per_output_token_j),
                     fmt::format("{:.1f}", s.output_tokens_per_s_per_kw)});
    }
    const auto* first = &r.runs.front().serving;
    for (const auto& run : r.runs) {
      if (run.has_serving) { first = &run.serving; break; }
    }
    out += fmt::format("\nServing {} (static batches of {} per replica, {} prompt + {} output tokens; "
                       "TTFT is the batch's prefill)\n",
                       first->model, first->batch_size, first->prompt_tokens, first->output_tokens);
    out += table.str();
  }
  if (any_training) {
    Table table({"cluster", "chip", "devices", "tp x pp x dp", "step s", "tokens/s", "MFU",
                 "IT kW", "J/token", "tok/s per kW"});
    const TrainingResult* first = nullptr;
    for (const auto& run : r.runs) {
      if (!run.has_training) {
        table.add_row({run.cluster, run.chip, std::to_string(run.devices), "does not fit"});
        notes.push_back(fmt::format("{} training: {}", run.cluster, run.training_error));
        continue;
      }
      const auto& t = run.training;
      if (!first) first = &t;
      table.add_row({run.cluster, run.chip, std::to_string(t.devices),
                     fmt::format("{} x {} x {}", t.tp, t.pp, t.dp),
                     fmt::format("{:.2f}", t.iteration_time_s), fmt::format("{:.0f}", t.tokens_per_s),
                     pct(t.mfu), fmt::format("{:.1f}", t.avg_it_power_w / 1e3),
                     fmt::format("{:.3f}", t.energy_per_token_j),
                     fmt::format("{:.1f}", t.tokens_per_s_per_kw)});
    }
    if (first) {
      out += fmt::format("\nTraining {} (global batch {} x {} tokens, {}, {} engine)\n",
                         first->model, first->global_batch, first->seq_len, first->dtype,
                         first->engine);
    } else {
      out += "\nTraining\n";
    }
    out += table.str();
  }
  for (const auto& note : notes) out += fmt::format("\n{}\n", note);
  return out;
}

std::string format_validation(const std::vector<ValidationRow>& rows) {
  Table table({"case", "metric", "published", "kcsim", "error", "tolerance", "ok"});
  int passed = 0;
  for (const auto& row : rows) {
    bool ok = row.within_tolerance();
    passed += ok ? 1 : 0;
    if (!row.error.empty()) {
      table.add_row({row.name, row.metric, fmt::format("{:.4g}", row.published), "error", "", "",
                     "no"});
      continue;
    }
    table.add_row({row.name, row.metric, fmt::format("{:.4g}", row.published),
                   fmt::format("{:.4g}", row.simulated),
                   fmt::format("{:+.1f} %", row.relative_error() * 100),
                   fmt::format("{:.0f} %", row.tolerance * 100), ok ? "yes" : "no"});
  }
  std::string out = table.str();
  for (const auto& row : rows) {
    if (!row.error.empty()) out += fmt::format("{}: {}\n", row.name, row.error);
  }
  out += fmt::format("{} of {} cases within tolerance\n", passed, rows.size());
  return out;
}

}  // namespace kcsim

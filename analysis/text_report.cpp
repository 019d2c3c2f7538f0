#include "analysis/text_report.hpp"

#include <cmath>

#include <fmt/format.h>

#include "analysis/mix_plan_report.hpp"
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

// The facility's energy in seed 000's categories (compute: devices, their servers and links) and
// the PUE they imply.
std::string facility_split(const EnergyReport& e) {
  double total = e.facility_j > 0 ? e.facility_j : 1;
  double compute = e.device_j + e.memory_j + e.link_j + e.server_j;
  return fmt::format(
      "compute {}, cooling {}, power conditioning {}, network {}, storage {}, lighting {} "
      "(PUE {:.2f})",
      pct(compute / total), pct(e.cooling_j / total), pct(e.conversion_j / total),
      pct(e.network_j / total), pct(e.storage_j / total), pct(e.lighting_j / total), e.pue);
}

// Facility energy, its split, and what it emits and costs.
std::string energy_lines(const EnergyReport& e) {
  std::string out = fmt::format(
      "  facility              {:.1f} kW average (PUE {:.2f}), {:.0f} tokens per kWh, {:.3g} kg "
      "CO2, {:.3g} KRW for the run\n",
      e.avg_facility_power_w / 1000, e.pue, e.tokens_per_kwh, e.co2_kg, e.cost_krw);
  double total = e.facility_j > 0 ? e.facility_j : 1;
  out += fmt::format(
      "  energy split          device {}, memory {}, links {}, network {}, servers {}, storage "
      "{}, cooling {}, conversion {}, lighting {}\n",
      pct(e.device_j / total), pct(e.memory_j / total), pct(e.link_j / total),
      pct(e.network_j / total), pct(e.server_j / total), pct(e.storage_j / total),
      pct(e.cooling_j / total), pct(e.conversion_j / total), pct(e.lighting_j / total));
  out += fmt::format("  facility split        {}\n", facility_split(e));
  if (e.servers > 0 && e.duration_s > 0) {
    double server_w = e.server_j / e.duration_s / e.servers;
    out += fmt::format(
        "  servers               {:.3g} charged ({}), {:.2f} kW per server at the wall with its "
        "devices; its own {:.0f} W: CPUs {:.0f}, fans {:.0f}, switches {:.0f}, fixed {:.0f}, "
        "supplies' loss {:.0f}\n",
        e.servers, e.whole_servers ? "every server the job touches" : "the job's share by devices",
        e.avg_node_power_w / 1000, server_w, e.server_cpu_j / e.duration_s / e.servers,
        e.server_fan_j / e.duration_s / e.servers, e.server_switch_j / e.duration_s / e.servers,
        e.server_fixed_j / e.duration_s / e.servers,
        e.server_conversion_j / e.duration_s / e.servers);
  }
  return out;
}

// The scenario's runs side by side in watts, joules, tonnes and won, run all year round.
std::string energy_table(const ScenarioResult& r) {
  constexpr double kHoursPerYear = 8760;
  Table table({"cluster", "workload", "tok/s", "p99 latency s", "IT kW", "facility kW", "tokens/J",
               "tok/s per MW", "MWh/year", "t CO2/year", "M KRW/year"});
  bool any = false;
  auto add = [&](const ScenarioRun& run, const char* workload, double tokens_per_s,
                 double latency_s, const EnergyReport& e) {
    if (!(e.avg_facility_power_w > 0)) return;
    any = true;
    double mwh = e.avg_facility_power_w * kHoursPerYear / 1e6;
    double years_fraction = e.duration_s > 0 ? kHoursPerYear * 3600 / e.duration_s : 0;
    table.add_row({run.cluster, workload, fmt::format("{:.0f}", tokens_per_s),
                   latency_s > 0 ? fmt::format("{:.3f}", latency_s) : "-",
                   fmt::format("{:.1f}", e.avg_it_power_w / 1e3),
                   fmt::format("{:.1f}", e.avg_facility_power_w / 1e3),
                   fmt::format("{:.3f}", e.tokens / e.facility_j),
                   fmt::format("{:.0f}", tokens_per_s / (e.avg_facility_power_w / 1e6)),
                   fmt::format("{:.0f}", mwh),
                   fmt::format("{:.0f}", e.co2_kg * years_fraction / 1e3),
                   fmt::format("{:.0f}", e.cost_krw * years_fraction / 1e6)});
  };
  for (const auto& run : r.runs) {
    // A static batch finishes together: every request's latency, the 99th percentile too, is
    // the batch's end-to-end time. A request stream has its own percentile and energy.
    if (run.serving && run.serving->load) {
      const auto& l = *run.serving->load;
      add(run, "serving", l.throughput_output_tokens_per_s, l.e2e_p99_s, l.energy);
    } else if (run.serving) {
      add(run, "serving", run.serving->throughput_output_tokens_per_s, run.serving->e2e_s,
          run.serving->energy);
    }
    if (run.training) {
      add(run, "training", run.training->tokens_per_s, 0, run.training->energy);
    }
  }
  if (!any) return "";
  std::string out =
      "\nPower and energy (facility included; a year of the same load)\n" + table.str();
  out += "\nWhere the facility's energy goes\n";
  for (const auto& run : r.runs) {
    if (run.serving && run.serving->energy.facility_j > 0) {
      out += fmt::format("  {} serving: {}\n", run.cluster, facility_split(run.serving->energy));
    }
    if (run.training && run.training->energy.facility_j > 0) {
      out += fmt::format("  {} training: {}\n", run.cluster, facility_split(run.training->energy));
    }
  }
  return out;
}

}  // namespace

std::string format_training(const TrainingResult& r) {
  std::string out =
      fmt::format("training {} ({:.1f} B parameters) on {} x {} [{}], engine {}\n", r.model,
                  r.parameters / 1e9, r.devices, r.chip, r.cluster, r.engine);
  out += fmt::format(
      "  plan                  tp {} x pp {} x dp {} (ep {}, virtual stages {}), sequence "
      "parallel {}, recompute {}, ZeRO {}, {}\n",
      r.tp, r.pp, r.dp, r.ep, r.virtual_stages, r.sequence_parallel ? "on" : "off", r.recompute,
      r.zero_stage, r.dtype);
  out += fmt::format(
      "  batch                 {} sequences of {} tokens, micro-batch {} ({} per pipeline)\n",
      r.global_batch, r.seq_len, r.micro_batch, r.micro_batches);
  out += fmt::format("  iteration time        {:.4f} s\n", r.iteration_time_s);
  out += fmt::format("  throughput            {:.0f} tokens/s\n", r.tokens_per_s);
  out += fmt::format("  model TFLOP/s/device  {:.1f} (MFU {}), hardware {:.1f}\n",
                     r.model_tflops_per_device, pct(r.mfu), r.hardware_tflops_per_device);
  out += memory_line(r.memory, true);
  const auto& t = r.time;
  out += fmt::format(
      "  time breakdown        compute {:.3f} s, recompute {:.3f} s, TP comm {:.3f} s (plus {:.3f} "
      "s overlapped), EP comm {:.3f} s, PP comm {:.3f} s, stage imbalance {:.3f} s, bubble {:.3f} "
      "s, DP comm exposed {:.3f} s (of {:.3f} s) plus {:.3f} s of contention, optimizer {:.3f} "
      "s\n",
      t.compute_s, t.recompute_s, t.tp_comm_s, t.tp_comm_overlapped_s, t.ep_comm_s, t.pp_comm_s,
      t.stage_imbalance_s, t.bubble_s, t.dp_comm_exposed_s, t.dp_comm_total_s,
      t.dp_comm_contention_s, t.optimizer_s);
  out += fmt::format("  energy                {:.0f} J per iteration, {:.3f} J per token\n",
                     r.energy_per_iteration_j, r.energy_per_token_j);
  out += fmt::format("  power                 {:.1f} kW IT average ({:.0f} W per device)\n",
                     r.avg_it_power_w / 1000, r.avg_device_power_w);
  out += fmt::format(
      "  device power          held {:.0f} W, idle {:.0f} W; limit {:.0f} W{}, compute at {:.0f} "
      "% of the nominal clock\n",
      r.device_power.held_w, r.device_power.idle_w, r.power_limit_w,
      r.device_power_cap_w > 0 ? " (capped)" : " (TDP)", r.compute_clock_speed * 100);
  out += energy_lines(r.energy);
  if (r.run) {
    out += fmt::format(
        "  whole run             {:.4g} tokens in {:.0f} iterations: {:.1f} days, {:.0f} MWh IT, "
        "{:.0f} MWh facility, {:.0f} t CO2, {:.0f} M KRW\n",
        r.run->tokens, r.run->iterations, r.run->time_days, r.run->it_energy_mwh,
        r.run->facility_energy_mwh, r.run->co2_t, r.run->cost_mkrw);
  }
  if (!r.network_model.empty()) {
    out += fmt::format("  network model         {} (SimGrid)\n", r.network_model);
  }
  for (size_t i = 0; i < r.busiest_links.size(); ++i) {
    const auto& link = r.busiest_links[i];
    out += fmt::format("  {}{} {} busy ({:.2f} GB)\n",
                       i == 0 ? "busiest links         " : "                      ", link.name,
                       pct(link.utilization), link.bytes / 1e9);
  }
  return out;
}

std::string format_serving(const ServingResult& r) {
  // Across chips: each pool's devices and chip, in the order they serve a request.
  std::string devices = fmt::format("{} x {}", r.devices, r.chip);
  if (r.load && !r.load->pools.empty()) {
    devices.clear();
    for (const auto& pool : r.load->pools) {
      devices += fmt::format("{}{} x {} ({})", devices.empty() ? "" : " + ", pool.devices,
                             pool.chip, pool.role);
    }
  }
  std::string out = fmt::format("serving {} ({:.1f} B parameters) on {} [{}], engine {}{}\n",
                                r.model, r.parameters / 1e9, devices, r.cluster, r.engine,
                                r.runtime.empty() ? "" : ", runtime " + r.runtime);
  std::string shape =
      r.pp > 1 ? fmt::format("tp {} x pp {}", r.tp, r.pp) : fmt::format("tp {}", r.tp);
  out +=
      fmt::format("  replicas              {} of {}, batch {}, {} prompt + {} output tokens, {}\n",
                  r.replicas, shape, r.batch_size, r.prompt_tokens, r.output_tokens, r.dtype);
  if (r.load) {
    // The request stream's figures are the run's; the closed form of one static batch stays
    // as a reference, on lines of its own.
    out += fmt::format(
        "  closed form           batch {}: TTFT {:.2f} ms, TPOT {:.2f} ms, latency {:.3f} s, "
        "{:.0f} output tokens/s (one static batch, for reference)\n",
        r.batch_size, r.ttft_s * 1e3, r.tpot_s * 1e3, r.e2e_s, r.throughput_output_tokens_per_s);
  } else {
    out += fmt::format("  time to first token   {:.2f} ms\n", r.ttft_s * 1e3);
    out += fmt::format("  time per output token {:.2f} ms\n", r.tpot_s * 1e3);
    out += fmt::format("  request latency       {:.3f} s\n", r.e2e_s);
    out += fmt::format("  throughput            {:.0f} output tokens/s\n",
                       r.throughput_output_tokens_per_s);
  }
  out += fmt::format("  max batch by KV cache {} sequences\n", r.max_batch_by_kv);
  if (r.load) {
    // The load run's KV cache is every block the replica has, not the closed-form batch's.
    const auto& m = r.memory;
    double kv = r.load->kv_pool_per_device_gib;
    out += fmt::format(
        "  memory per device     {:.1f} GiB of {:.1f} GiB (weights {:.1f}, KV cache pool {:.1f}, "
        "workspace {:.1f})\n",
        m.weights_gib + kv + m.workspace_gib, m.capacity_gib, m.weights_gib, kv, m.workspace_gib);
    out += format_serving_load(*r.load);
  } else {
    out += memory_line(r.memory, false);
  }
  const char* source = r.load ? "load run: " : "";
  double per_token_j = r.load ? r.load->energy_per_output_token_j : r.energy_per_output_token_j;
  double it_w = r.load ? r.load->energy.avg_it_power_w : r.avg_it_power_w;
  double device_w = r.load ? r.load->avg_device_power_w : r.avg_device_power_w;
  double per_kw = r.load ? r.load->output_tokens_per_s_per_kw : r.output_tokens_per_s_per_kw;
  out += fmt::format("  energy                {}{:.3f} J per output token\n", source, per_token_j);
  out += fmt::format(
      "  power                 {}{:.1f} kW IT average ({:.0f} W per device), {:.1f} output "
      "tokens/s per kW\n",
      source, it_w / 1000, device_w, per_kw);
  out += fmt::format(
      "  device power          prefill {:.0f} W, decode {:.0f} W, held {:.0f} W, idle {:.0f} W; "
      "limit {:.0f} W{}: prefill at {:.0f} %, decode at {:.0f} % of the nominal clock\n",
      r.prefill_device_power_w, r.decode_device_power_w, r.device_power.held_w,
      r.device_power.idle_w, r.power_limit_w, r.device_power_cap_w > 0 ? " (capped)" : " (TDP)",
      r.prefill_speed * 100, r.decode_speed * 100);
  out += energy_lines(r.load ? r.load->energy : r.energy);
  return out;
}

namespace {

// Whole training runs (the job's run_tokens), one row per cluster; empty when none has one.
std::string training_run_table(const ScenarioResult& r) {
  Table table(
      {"cluster", "chip", "tokens", "days", "MWh IT", "MWh facility", "PUE", "t CO2", "M KRW"});
  for (const auto& run : r.runs) {
    if (!run.training || !run.training->run) continue;
    const auto& t = *run.training->run;
    table.add_row({run.cluster, run.chip, fmt::format("{:.4g}", t.tokens),
                   fmt::format("{:.1f}", t.time_days), fmt::format("{:.0f}", t.it_energy_mwh),
                   fmt::format("{:.0f}", t.facility_energy_mwh),
                   fmt::format("{:.2f}", run.training->energy.pue), fmt::format("{:.0f}", t.co2_t),
                   fmt::format("{:.0f}", t.cost_mkrw)});
  }
  return table.empty() ? ""
                       : "\nWhole training run (the iteration repeated over the run's tokens)\n" +
                             table.str();
}

}  // namespace

std::string format_envelope(const ScenarioResult& r) {
  if (!r.envelope) return "";
  const SharedEnvelopeResult& e = *r.envelope;
  Table table({"job", "cluster", "demand kW", "share kW", "kept as", "alone tok/s", "shared tok/s",
               "lost"});
  std::string notes;
  for (const EnvelopeShare* s : {&e.training, &e.serving}) {
    std::string kept = s->job == "training" ? fmt::format("{:.0f} W per device", s->limit_w)
                                            : fmt::format("{:.1f} kW summed", s->limit_w / 1e3);
    if (!s->error.empty()) {
      table.add_row({s->job, s->cluster, fmt::format("{:.1f}", s->demand_w / 1e3),
                     fmt::format("{:.1f}", s->share_w / 1e3), kept,
                     fmt::format("{:.0f}", s->alone_tokens_per_s), "cannot run"});
      notes += fmt::format("  {}: cannot run under its share: {}\n", s->job, s->error);
      continue;
    }
    table.add_row({s->job, s->cluster, fmt::format("{:.1f}", s->demand_w / 1e3),
                   fmt::format("{:.1f}", s->share_w / 1e3), kept,
                   fmt::format("{:.0f}", s->alone_tokens_per_s),
                   fmt::format("{:.0f}", s->shared_tokens_per_s), pct(s->lost_fraction())});
    if (s->job == "serving") {
      notes += fmt::format(
          "  serving: goodput {:.2f} -> {:.2f} requests/s, TTFT p99 {:.0f} -> {:.0f} ms, {} "
          "iterations throttled\n",
          s->alone_goodput_requests_per_s, s->shared_goodput_requests_per_s,
          s->alone_ttft_p99_s * 1e3, s->shared_ttft_p99_s * 1e3, s->throttled_iterations);
    }
  }
  std::string budget =
      e.facility_power_budget_w > 0
          ? fmt::format("{:.1f} kW from the grid, {:.1f} kW of it for devices",
                        e.facility_power_budget_w / 1e3, e.device_power_budget_w / 1e3)
          : fmt::format("{:.1f} kW of device power", e.device_power_budget_w / 1e3);
  if (e.facility_power_budget_w > 0) {
    notes += fmt::format("  from the grid at their shares: training {:.1f} kW, serving {:.1f} kW\n",
                         e.training.facility_w / 1e3, e.serving.facility_w / 1e3);
  }
  return fmt::format("\nShared power envelope: {}, {}\n", budget, e.policy) + table.str() + notes;
}

std::string format_claims(const ScenarioResult& r) {
  if (r.claims.empty()) return "";
  Table table({"claim", "cluster", "metric", "published", "kcsim", "kcsim / published"});
  std::string sources;
  for (size_t i = 0; i < r.claims.size(); ++i) {
    const auto& c = r.claims[i];
    const std::string label = fmt::format("[{}] {}", i + 1, c.statement);
    if (!c.simulated) {
      table.add_row({label, c.cluster, c.metric, fmt::format("{:.4g}", c.published), "cannot run"});
    } else {
      table.add_row({label, c.cluster, c.metric, fmt::format("{:.4g}", c.published),
                     fmt::format("{:.4g}", *c.simulated),
                     c.published != 0 ? fmt::format("{:.2f}", c.ratio()) : "-"});
    }
    sources += fmt::format("[{}] {}\n", i + 1, c.citation);
    if (!c.assumptions.empty()) sources += fmt::format("    assumptions: {}\n", c.assumptions);
    if (!c.simulated) sources += fmt::format("    cannot run: {}\n", c.error);
  }
  return "\nPublished claims beside kcsim\n" + table.str() + sources;
}

namespace {

// The layer-by-layer steps of a scenario, one row per cluster; empty when it has none.
std::string layer_workload_table(const ScenarioResult& r, std::vector<std::string>& notes) {
  Table table({"cluster", "chip", "devices", "step ms", "compute ms", "exposed comm ms",
               "all-reduce total ms", "busiest link"});
  const LayerStepResult* first = nullptr;
  for (const auto& run : r.runs) {
    if (!run.layers) {
      if (run.layers_error.empty()) continue;
      table.add_row({run.cluster, run.chip, std::to_string(run.devices), "cannot run"});
      notes.push_back(fmt::format("{} layer workload: {}", run.cluster, run.layers_error));
      continue;
    }
    const auto& l = *run.layers;
    if (!first) first = &l;
    std::string link = l.busiest_links.empty()
                           ? "-"
                           : fmt::format("{} ({:.0f} %)", l.busiest_links.front().name,
                                         l.busiest_links.front().utilization * 100);
    table.add_row({run.cluster, run.chip, std::to_string(l.devices),
                   fmt::format("{:.3f}", l.step_time_s * 1e3),
                   fmt::format("{:.3f}", l.compute_s * 1e3),
                   fmt::format("{:.3f}", l.exposed_comm_s * 1e3),
                   fmt::format("{:.3f}", l.comm_total_s * 1e3), link});
  }
  if (table.empty()) return "";
  std::string out =
      first
          ? fmt::format("\nLayer workload ({} layers, data parallel, {} all-reduce, {} engine{})\n",
                        first->layers, first->collective_algorithm, first->engine,
                        first->network_model.empty() ? "" : ", " + first->network_model)
          : "\nLayer workload\n";
  return out + table.str();
}

}  // namespace

std::string format_scenario(const ScenarioResult& r) {
  std::string out = fmt::format("{}\n", r.name);
  if (!r.description.empty()) out += fmt::format("{}\n", r.description);
  if (r.it_power_budget_kw > 0) {
    out += fmt::format("IT power budget per cluster: {:.0f} kW\n", r.it_power_budget_kw);
  }
  bool any_serving = false, any_training = false;
  for (const auto& run : r.runs) {
    any_serving |= run.serving || !run.serving_error.empty();
    any_training |= run.training || !run.training_error.empty();
  }
  std::vector<std::string> notes;
  if (any_serving) {
    bool any_load = false;
    Table table({"cluster", "chip", "devices", "tp (x pp) x replicas", "TTFT ms", "TPOT ms",
                 "output tok/s", "IT kW", "J/token", "tok/s per kW"});
    for (const auto& run : r.runs) {
      if (!run.serving) {
        if (run.serving_error.empty()) continue;  // not asked of this cluster
        table.add_row({run.cluster, run.chip, std::to_string(run.devices), "cannot run"});
        notes.push_back(fmt::format("{} serving: {}", run.cluster, run.serving_error));
        continue;
      }
      const auto& s = *run.serving;
      any_load |= s.load.has_value();
      // A request stream's figures where there was one, else the closed-form batch's.
      const ServingLoadResult* l = s.load ? &*s.load : nullptr;
      std::string shape = s.pp > 1 ? fmt::format("{} x {} x {}", s.tp, s.pp, s.replicas)
                                   : fmt::format("{} x {}", s.tp, s.replicas);
      table.add_row(
          {run.cluster, run.chip, std::to_string(run.devices), shape,
           fmt::format("{:.1f}", (l ? l->ttft_p50_s : s.ttft_s) * 1e3),
           fmt::format("{:.2f}", (l ? l->tpot_p50_s : s.tpot_s) * 1e3),
           fmt::format("{:.0f}",
                       l ? l->throughput_output_tokens_per_s : s.throughput_output_tokens_per_s),
           fmt::format("{:.1f}", (l ? l->energy.avg_it_power_w : s.avg_it_power_w) / 1e3),
           fmt::format("{:.3f}", l ? l->energy_per_output_token_j : s.energy_per_output_token_j),
           fmt::format("{:.1f}",
                       l ? l->output_tokens_per_s_per_kw : s.output_tokens_per_s_per_kw)});
    }
    // The header names the first run's model (a default result's empty one when none ran).
    static const ServingResult kNoRun;
    const ServingResult* first = &kNoRun;
    for (const auto& run : r.runs) {
      if (run.serving) {
        first = &*run.serving;
        break;
      }
    }
    if (any_load) {
      out += fmt::format(
          "\nServing {} (request streams: p50 TTFT and TPOT, throughput and energy of the "
          "run)\n",
          first->model);
    } else {
      out += fmt::format(
          "\nServing {} (static batches of {} per replica, {} prompt + {} output tokens; TTFT is "
          "the batch's prefill)\n",
          first->model, first->batch_size, first->prompt_tokens, first->output_tokens);
    }
    out += table.str();
  }
  if (any_training) {
    Table table({"cluster", "chip", "devices", "tp x pp x dp", "step s", "tokens/s", "MFU", "IT kW",
                 "J/token", "tok/s per kW"});
    const TrainingResult* first = nullptr;
    for (const auto& run : r.runs) {
      if (!run.training) {
        if (run.training_error.empty()) continue;  // not asked of this cluster
        table.add_row({run.cluster, run.chip, std::to_string(run.devices), "cannot run"});
        notes.push_back(fmt::format("{} training: {}", run.cluster, run.training_error));
        continue;
      }
      const auto& t = *run.training;
      if (!first) first = &t;
      table.add_row({run.cluster, run.chip, std::to_string(t.devices),
                     fmt::format("{} x {} x {}", t.tp, t.pp, t.dp),
                     fmt::format("{:.2f}", t.iteration_time_s),
                     fmt::format("{:.0f}", t.tokens_per_s), pct(t.mfu),
                     fmt::format("{:.1f}", t.avg_it_power_w / 1e3),
                     fmt::format("{:.3f}", t.energy_per_token_j),
                     fmt::format("{:.1f}", t.tokens_per_s_per_kw)});
    }
    if (first) {
      out +=
          fmt::format("\nTraining {} (global batch {} x {} tokens, {}, {} engine)\n", first->model,
                      first->global_batch, first->seq_len, first->dtype, first->engine);
    } else {
      out += "\nTraining\n";
    }
    out += table.str();
  }
  out += training_run_table(r);
  out += layer_workload_table(r, notes);
  out += energy_table(r);
  out += format_envelope(r);
  if (r.mix_plan) out += format_mix_plan(*r.mix_plan);
  out += format_claims(r);
  for (const auto& note : notes) out += fmt::format("\n{}\n", note);
  return out;
}

std::string validation_error_text(const ValidationRow& row) {
  if (!row.error.empty()) return "error";
  if (row.tolerance_abs > 0) return fmt::format("{:+.1f} pp", row.absolute_error() * 100);
  return fmt::format("{:+.1f} %", row.relative_error() * 100);
}

std::string validation_tolerance_text(const ValidationRow& row) {
  return row.tolerance_abs > 0 ? fmt::format("{:.0f} pp", row.tolerance_abs * 100)
                               : fmt::format("{:.0f} %", row.tolerance * 100);
}

std::string validation_metric_label(const ValidationRow& row) {
  return row.ratio ? row.metric + " ratio" : row.metric;
}

std::string format_validation(const std::vector<ValidationRow>& rows) {
  Table table({"case", "metric", "published", "kcsim", "error", "tolerance", "ok"});
  int passed = 0;
  for (const auto& row : rows) {
    bool ok = row.within_tolerance();
    passed += ok ? 1 : 0;
    if (!row.error.empty()) {
      table.add_row(
          {row.name, row.metric, fmt::format("{:.4g}", row.published), "error", "", "", "no"});
      continue;
    }
    table.add_row({row.name, validation_metric_label(row), fmt::format("{:.4g}", row.published),
                   fmt::format("{:.4g}", row.simulated), validation_error_text(row),
                   validation_tolerance_text(row), ok ? "yes" : "no"});
  }
  std::string out = table.str();
  for (const auto& row : rows) {
    if (!row.error.empty()) out += fmt::format("{}: {}\n", row.name, row.error);
  }
  out += fmt::format("{} of {} cases within tolerance\n", passed, rows.size());
  return out;
}

std::string format_envelope(const EnvelopeResult& r) {
  std::string out = fmt::format("{} of {} MW{}: {} on {} [{}]\n", r.workload, r.power_budget_mw,
                                r.max_racks > 0 ? fmt::format(" and {} racks", r.max_racks) : "",
                                r.model, r.chip, r.cluster);
  out += fmt::format(
      "  per server            {:.2f} kW IT at TDP, {:.2f} kW of facility ({}, PUE "
      "{:.2f})\n",
      r.server_peak_it_kw, r.server_facility_kw,
      r.cooling == "pue" ? "overhead from the facility's PUE" : r.cooling + " cooling", r.pue);
  out += fmt::format("  racks                 {} of {:.0f} kW, {} servers each\n", r.racks,
                     r.rack_power_kw, r.servers_per_rack);
  out += fmt::format(
      "  fits                  {} servers, {} devices ({} used by the plan), {:.2f} "
      "MW of facility at peak\n",
      r.servers, r.devices, r.devices_used, r.peak_facility_mw);
  out += fmt::format("  binding constraint    {}: {}\n", r.binding_constraint, r.binding_detail);
  out += fmt::format("  throughput limit      {}: {}\n", r.throughput_limit, r.throughput_detail);
  out += fmt::format("  throughput            {:.0f} {}tokens/s\n", r.tokens_per_s,
                     std::holds_alternative<ServingResult>(r.run) ? "output " : "");
  out += fmt::format("  power                 {:.2f} MW IT, {:.2f} MW facility on average\n",
                     r.avg_it_power_mw, r.avg_facility_power_mw);
  out += fmt::format(
      "  efficiency            {:.3f} tokens per joule, {:.0f} tokens/s per MW of "
      "facility\n",
      r.tokens_per_j, r.tokens_per_s_per_mw);
  return out;
}

}  // namespace kcsim

#include "analysis/json_writer.hpp"

#include <cmath>

#include "analysis/mix_plan_report.hpp"
#include "analysis/serving_load_report.hpp"

namespace kcsim {
namespace {

Json memory_json(const MemoryUse& m) {
  return Json{{"weights_gib", m.weights_gib},     {"gradients_gib", m.gradients_gib},
              {"optimizer_gib", m.optimizer_gib}, {"activations_gib", m.activations_gib},
              {"workspace_gib", m.workspace_gib}, {"total_gib", m.total_gib},
              {"capacity_gib", m.capacity_gib}};
}

// What ran where: the keys every workload's result starts with.
template <class Result>
Json run_header(const char* workload, const Result& r) {
  return Json{{"workload", workload}, {"engine", r.engine},   {"cluster", r.cluster},
              {"chip", r.chip},       {"model", r.model},     {"parameters", r.parameters},
              {"dtype", r.dtype},     {"devices", r.devices}, {"tp", r.tp}};
}

Json links_json(const std::vector<LinkUse>& links) {
  Json out = Json::array();
  for (const auto& link : links) {
    out.push_back(
        Json{{"link", link.name}, {"bytes", link.bytes}, {"utilization", link.utilization}});
  }
  return out;
}

std::vector<LinkUse> links_from_json(const Json& links) {
  std::vector<LinkUse> out;
  for (const auto& link : links) {
    out.push_back({link.at("link").get<std::string>(), link.at("bytes").get<double>(),
                   link.at("utilization").get<double>()});
  }
  return out;
}

// The energy keys every run ends with: totals and rates flat, the split in its own object.
// The energy keys every workload shares: facility energy, its split, what it costs.
void add_energy_report(Json& j, const EnergyReport& e) {
  j["energy_j"] = e.facility_j;
  j["avg_node_power_w"] = e.avg_node_power_w;
  j["servers_charged"] = e.servers;
  j["charge_whole_servers"] = e.whole_servers;
  j["server_breakdown_j"] = Json{{"cpu_j", e.server_cpu_j},
                                 {"fixed_j", e.server_fixed_j},
                                 {"switch_j", e.server_switch_j},
                                 {"fan_j", e.server_fan_j},
                                 {"conversion_j", e.server_conversion_j}};
  j["avg_it_power_w"] = e.avg_it_power_w;
  j["avg_facility_power_w"] = e.avg_facility_power_w;
  j["pue"] = e.pue;
  j["tokens_per_kwh"] = e.tokens_per_kwh;
  j["co2_kg"] = e.co2_kg;
  j["cost_krw"] = e.cost_krw;
  j["energy_breakdown_j"] = Json{
      {"device_j", e.device_j},   {"memory_j", e.memory_j},         {"link_j", e.link_j},
      {"network_j", e.network_j}, {"server_j", e.server_j},         {"storage_j", e.storage_j},
      {"cooling_j", e.cooling_j}, {"conversion_j", e.conversion_j}, {"lighting_j", e.lighting_j},
      {"it_j", e.it_j},           {"facility_j", e.facility_j},     {"duration_s", e.duration_s}};
}

// The same with the workload's energy per token and the device power cap it ran under.
void add_energy(Json& j, const EnergyReport& e, const char* per_token_key, double per_token_j,
                double cap_w) {
  add_energy_report(j, e);
  j[per_token_key] = per_token_j;
  j["device_power_cap_w"] = cap_w;
}

void read_energy(const Json& j, EnergyReport& e) {
  if (!j.contains("energy_breakdown_j")) return;
  const auto& b = j.at("energy_breakdown_j");
  b.at("device_j").get_to(e.device_j);
  b.at("memory_j").get_to(e.memory_j);
  b.at("link_j").get_to(e.link_j);
  b.at("network_j").get_to(e.network_j);
  b.at("server_j").get_to(e.server_j);
  b.at("storage_j").get_to(e.storage_j);
  b.at("cooling_j").get_to(e.cooling_j);
  b.at("conversion_j").get_to(e.conversion_j);
  b.at("lighting_j").get_to(e.lighting_j);
  b.at("it_j").get_to(e.it_j);
  b.at("facility_j").get_to(e.facility_j);
  b.at("duration_s").get_to(e.duration_s);
  j.at("avg_it_power_w").get_to(e.avg_it_power_w);
  j.at("avg_facility_power_w").get_to(e.avg_facility_power_w);
  j.at("pue").get_to(e.pue);
  if (j.contains("tokens_per_kwh")) j.at("tokens_per_kwh").get_to(e.tokens_per_kwh);
  j.at("co2_kg").get_to(e.co2_kg);
  j.at("cost_krw").get_to(e.cost_krw);
  if (j.contains("avg_node_power_w")) j.at("avg_node_power_w").get_to(e.avg_node_power_w);
  if (j.contains("servers_charged")) j.at("servers_charged").get_to(e.servers);
  if (j.contains("charge_whole_servers")) j.at("charge_whole_servers").get_to(e.whole_servers);
  if (j.contains("server_breakdown_j")) {
    const auto& s = j.at("server_breakdown_j");
    s.at("cpu_j").get_to(e.server_cpu_j);
    s.at("fixed_j").get_to(e.server_fixed_j);
    s.at("switch_j").get_to(e.server_switch_j);
    s.at("fan_j").get_to(e.server_fan_j);
    s.at("conversion_j").get_to(e.server_conversion_j);
  }
}

Json power_levels_json(const DevicePowerLevels& p) {
  return Json{{"idle_w", p.idle_w}, {"held_w", p.held_w}};
}

}  // namespace

bool ValidationRow::within_tolerance() const {
  if (!error.empty()) return false;
  if (tolerance_abs > 0) return std::fabs(absolute_error()) <= tolerance_abs;
  return std::fabs(relative_error()) <= tolerance;
}

Json to_json(const TrainingResult& r) {
  Json j = run_header("training", r);
  j["pp"] = r.pp;
  j["dp"] = r.dp;
  j["ep"] = r.ep;
  j["virtual_stages"] = r.virtual_stages;
  j["sequence_parallel"] = r.sequence_parallel;
  j["recompute"] = r.recompute;
  j["zero_stage"] = r.zero_stage;
  j["global_batch_sequences"] = r.global_batch;
  j["micro_batch_sequences"] = r.micro_batch;
  j["micro_batches"] = r.micro_batches;
  j["seq_len_tokens"] = r.seq_len;
  j["iteration_time_s"] = r.iteration_time_s;
  j["tokens_per_s"] = r.tokens_per_s;
  j["model_flops_per_iteration"] = r.model_flops_per_iteration;
  j["hardware_flops_per_iteration"] = r.hardware_flops_per_iteration;
  j["model_tflops_per_device"] = r.model_tflops_per_device;
  j["hardware_tflops_per_device"] = r.hardware_tflops_per_device;
  j["mfu"] = r.mfu;
  j["memory_per_device_gib"] = r.memory.total_gib;
  j["memory_capacity_gib"] = r.memory.capacity_gib;
  j["memory_breakdown_gib"] = memory_json(r.memory);
  j["time_breakdown_s"] = Json{{"compute_s", r.time.compute_s},
                               {"recompute_s", r.time.recompute_s},
                               {"tp_comm_s", r.time.tp_comm_s},
                               {"tp_comm_overlapped_s", r.time.tp_comm_overlapped_s},
                               {"pp_comm_s", r.time.pp_comm_s},
                               {"ep_comm_s", r.time.ep_comm_s},
                               {"dp_comm_exposed_s", r.time.dp_comm_exposed_s},
                               {"dp_comm_contention_s", r.time.dp_comm_contention_s},
                               {"dp_comm_total_s", r.time.dp_comm_total_s},
                               {"stage_imbalance_s", r.time.stage_imbalance_s},
                               {"bubble_s", r.time.bubble_s},
                               {"optimizer_s", r.time.optimizer_s}};
  j["energy_per_iteration_j"] = r.energy_per_iteration_j;
  j["energy_per_token_j"] = r.energy_per_token_j;
  j["avg_it_power_w"] = r.avg_it_power_w;
  j["avg_device_power_w"] = r.avg_device_power_w;
  j["device_energy_j"] = r.device_energy_j;
  j["device_power_levels_w"] = power_levels_json(r.device_power);
  j["power_limit_w"] = r.power_limit_w;
  j["compute_clock_speed"] = r.compute_clock_speed;
  j["tokens_per_s_per_kw"] = r.tokens_per_s_per_kw;
  if (!r.network_model.empty()) j["network_model"] = r.network_model;
  if (!r.busiest_links.empty()) j["busiest_links"] = links_json(r.busiest_links);
  add_energy(j, r.energy, "energy_per_token_j", r.energy_per_token_j, r.device_power_cap_w);
  if (r.run) {
    j["training_run"] = Json{{"tokens", r.run->tokens},
                             {"iterations", r.run->iterations},
                             {"time_days", r.run->time_days},
                             {"it_energy_mwh", r.run->it_energy_mwh},
                             {"facility_energy_mwh", r.run->facility_energy_mwh},
                             {"co2_t", r.run->co2_t},
                             {"cost_million_krw", r.run->cost_mkrw}};
  }
  return j;
}

Json to_json(const ServingResult& r) {
  Json j = run_header("serving", r);
  j["runtime"] = r.runtime;
  j["pp"] = r.pp;
  j["replicas"] = r.replicas;
  j["batch_size"] = r.batch_size;
  j["prompt_tokens"] = r.prompt_tokens;
  j["output_tokens"] = r.output_tokens;
  j["ttft_s"] = r.ttft_s;
  j["tpot_s"] = r.tpot_s;
  j["e2e_s"] = r.e2e_s;
  j["throughput_output_tokens_per_s"] = r.throughput_output_tokens_per_s;
  j["max_batch_by_kv"] = r.max_batch_by_kv;
  j["kv_bytes_per_token"] = r.kv_bytes_per_token;
  j["memory_per_device_gib"] = r.memory.total_gib;
  j["memory_breakdown_gib"] = memory_json(r.memory);
  j["energy_per_output_token_j"] = r.energy_per_output_token_j;
  j["avg_it_power_w"] = r.avg_it_power_w;
  j["avg_device_power_w"] = r.avg_device_power_w;
  j["output_tokens_per_s_per_kw"] = r.output_tokens_per_s_per_kw;
  j["prefill_dvfs_speed"] = r.prefill_speed;
  j["decode_dvfs_speed"] = r.decode_speed;
  j["prefill_device_power_w"] = r.prefill_device_power_w;
  j["decode_device_power_w"] = r.decode_device_power_w;
  j["prefill_compute_power_w"] = r.prefill_compute_power_w;
  j["device_energy_j"] = r.device_energy_j;
  j["device_power_levels_w"] = power_levels_json(r.device_power);
  j["power_limit_w"] = r.power_limit_w;
  add_energy(j, r.energy, "energy_per_output_token_j", r.energy_per_output_token_j,
             r.device_power_cap_w);
  // Which run the energy and power keys describe: one closed-form static batch, or the
  // request stream.
  j["energy_source"] = r.load ? "load_run" : "closed_form_batch";
  if (r.load) {
    // The run's own energy and power replace the closed-form batch's under the same keys.
    const ServingLoadResult& load = *r.load;
    append_serving_load(j, load);
    j["avg_it_power_w"] = load.energy.avg_it_power_w;
    j["avg_device_power_w"] = load.avg_device_power_w;
    j["output_tokens_per_s_per_kw"] = load.output_tokens_per_s_per_kw;
    add_energy(j, load.energy, "energy_per_output_token_j", load.energy_per_output_token_j,
               r.device_power_cap_w);
  }
  return j;
}

Json to_json(const ScenarioResult& r) {
  Json j;
  j["scenario"] = r.name;
  j["description"] = r.description;
  if (r.it_power_budget_kw > 0) j["it_power_budget_kw"] = r.it_power_budget_kw;
  Json runs = Json::array();
  for (const auto& run : r.runs) {
    Json entry;
    entry["cluster"] = run.cluster;
    entry["chip"] = run.chip;
    entry["devices"] = run.devices;
    entry["peak_it_power_kw"] = run.peak_it_power_kw;
    if (run.training) entry["training"] = to_json(*run.training);
    if (!run.training_error.empty()) entry["training_error"] = run.training_error;
    if (run.serving) entry["serving"] = to_json(*run.serving);
    if (!run.serving_error.empty()) entry["serving_error"] = run.serving_error;
    if (run.layers) entry["layer_workload"] = to_json(*run.layers);
    if (!run.layers_error.empty()) entry["layer_workload_error"] = run.layers_error;
    runs.push_back(std::move(entry));
  }
  j["runs"] = std::move(runs);
  if (r.envelope) {
    const SharedEnvelopeResult& e = *r.envelope;
    auto share = [&e](const EnvelopeShare& s) {
      Json j{{"job", s.job},
             {"cluster", s.cluster},
             {"demand_w", s.demand_w},
             {"share_w", s.share_w},
             {"throttled", s.throttled},
             {s.job == "training" ? "device_power_limit_w" : "cluster_power_cap_w", s.limit_w},
             {"alone_tokens_per_s", s.alone_tokens_per_s},
             {"shared_tokens_per_s", s.shared_tokens_per_s},
             {"lost_fraction", s.lost_fraction()},
             {"alone_energy_j", s.alone_energy_j},
             {"shared_energy_j", s.shared_energy_j}};
      if (s.job == "serving") {
        j["alone_goodput_requests_per_s"] = s.alone_goodput_requests_per_s;
        j["shared_goodput_requests_per_s"] = s.shared_goodput_requests_per_s;
        j["alone_ttft_p99_s"] = s.alone_ttft_p99_s;
        j["shared_ttft_p99_s"] = s.shared_ttft_p99_s;
        j["cap_throttled_iterations"] = s.throttled_iterations;
      }
      if (e.facility_power_budget_w > 0) j["facility_w"] = s.facility_w;
      if (!s.error.empty()) j["error"] = s.error;
      return j;
    };
    j["shared_envelope"] = Json{{"policy", e.policy},
                                {"device_power_budget_w", e.device_power_budget_w},
                                {"training", share(e.training)},
                                {"serving", share(e.serving)}};
    if (e.facility_power_budget_w > 0) {
      j["shared_envelope"]["facility_power_budget_w"] = e.facility_power_budget_w;
    }
  }
  if (r.mix_plan) j["mix_plan"] = mix_plan_json(*r.mix_plan);
  if (!r.claims.empty()) {
    Json claims = Json::array();
    for (const auto& c : r.claims) {
      Json claim{{"statement", c.statement}, {"cluster", c.cluster},
                 {"metric", c.metric},       {"published", c.published},
                 {"source", c.citation},     {"assumptions", c.assumptions}};
      if (c.simulated) {
        claim["simulated"] = *c.simulated;
        claim["simulated_over_published"] = c.ratio();
      } else {
        claim["error"] = c.error;
      }
      claims.push_back(std::move(claim));
    }
    j["claims"] = std::move(claims);
  }
  return j;
}

Json to_json(const std::vector<ValidationRow>& rows) {
  Json cases = Json::array();
  int passed = 0;
  for (const auto& row : rows) {
    Json c;
    c["name"] = row.name;
    c["source"] = row.citation;
    c["metric"] = row.metric;
    c["published"] = row.published;
    if (row.error.empty()) {
      c["simulated"] = row.simulated;
      c["relative_error"] = row.relative_error();
    } else {
      c["error"] = row.error;
    }
    if (row.tolerance_abs > 0) {
      c["tolerance_abs"] = row.tolerance_abs;
      if (row.error.empty()) c["absolute_error"] = row.absolute_error();
    } else {
      c["tolerance"] = row.tolerance;
    }
    c["ratio"] = row.ratio;
    c["within_tolerance"] = row.within_tolerance();
    passed += row.within_tolerance() ? 1 : 0;
    cases.push_back(std::move(c));
  }
  return Json{{"cases", std::move(cases)},
              {"passed", passed},
              {"failed", static_cast<int>(rows.size()) - passed}};
}

TrainingResult training_result_from_json(const Json& j) {
  TrainingResult r;
  j.at("engine").get_to(r.engine);
  j.at("cluster").get_to(r.cluster);
  j.at("chip").get_to(r.chip);
  j.at("model").get_to(r.model);
  j.at("parameters").get_to(r.parameters);
  j.at("dtype").get_to(r.dtype);
  j.at("devices").get_to(r.devices);
  j.at("tp").get_to(r.tp);
  j.at("pp").get_to(r.pp);
  j.at("dp").get_to(r.dp);
  j.at("ep").get_to(r.ep);
  j.at("virtual_stages").get_to(r.virtual_stages);
  j.at("sequence_parallel").get_to(r.sequence_parallel);
  j.at("recompute").get_to(r.recompute);
  j.at("zero_stage").get_to(r.zero_stage);
  j.at("global_batch_sequences").get_to(r.global_batch);
  j.at("micro_batch_sequences").get_to(r.micro_batch);
  j.at("micro_batches").get_to(r.micro_batches);
  j.at("seq_len_tokens").get_to(r.seq_len);
  j.at("iteration_time_s").get_to(r.iteration_time_s);
  j.at("tokens_per_s").get_to(r.tokens_per_s);
  j.at("model_flops_per_iteration").get_to(r.model_flops_per_iteration);
  j.at("hardware_flops_per_iteration").get_to(r.hardware_flops_per_iteration);
  j.at("model_tflops_per_device").get_to(r.model_tflops_per_device);
  j.at("hardware_tflops_per_device").get_to(r.hardware_tflops_per_device);
  j.at("mfu").get_to(r.mfu);
  const auto& m = j.at("memory_breakdown_gib");
  m.at("weights_gib").get_to(r.memory.weights_gib);
  m.at("gradients_gib").get_to(r.memory.gradients_gib);
  m.at("optimizer_gib").get_to(r.memory.optimizer_gib);
  m.at("activations_gib").get_to(r.memory.activations_gib);
  m.at("workspace_gib").get_to(r.memory.workspace_gib);
  m.at("total_gib").get_to(r.memory.total_gib);
  m.at("capacity_gib").get_to(r.memory.capacity_gib);
  const auto& t = j.at("time_breakdown_s");
  t.at("compute_s").get_to(r.time.compute_s);
  t.at("recompute_s").get_to(r.time.recompute_s);
  t.at("tp_comm_s").get_to(r.time.tp_comm_s);
  t.at("tp_comm_overlapped_s").get_to(r.time.tp_comm_overlapped_s);
  t.at("pp_comm_s").get_to(r.time.pp_comm_s);
  t.at("ep_comm_s").get_to(r.time.ep_comm_s);
  t.at("dp_comm_exposed_s").get_to(r.time.dp_comm_exposed_s);
  t.at("dp_comm_contention_s").get_to(r.time.dp_comm_contention_s);
  t.at("dp_comm_total_s").get_to(r.time.dp_comm_total_s);
  t.at("stage_imbalance_s").get_to(r.time.stage_imbalance_s);
  t.at("bubble_s").get_to(r.time.bubble_s);
  t.at("optimizer_s").get_to(r.time.optimizer_s);
  j.at("energy_per_iteration_j").get_to(r.energy_per_iteration_j);
  j.at("energy_per_token_j").get_to(r.energy_per_token_j);
  j.at("avg_it_power_w").get_to(r.avg_it_power_w);
  j.at("avg_device_power_w").get_to(r.avg_device_power_w);
  j.at("tokens_per_s_per_kw").get_to(r.tokens_per_s_per_kw);
  j.at("device_energy_j").get_to(r.device_energy_j);
  j.at("device_power_levels_w").at("idle_w").get_to(r.device_power.idle_w);
  j.at("device_power_levels_w").at("held_w").get_to(r.device_power.held_w);
  j.at("power_limit_w").get_to(r.power_limit_w);
  j.at("compute_clock_speed").get_to(r.compute_clock_speed);
  if (j.contains("network_model")) j.at("network_model").get_to(r.network_model);
  if (j.contains("busiest_links")) r.busiest_links = links_from_json(j.at("busiest_links"));
  read_energy(j, r.energy);
  if (j.contains("device_power_cap_w")) j.at("device_power_cap_w").get_to(r.device_power_cap_w);
  if (j.contains("series")) r.series = time_series_from_json(j.at("series"));
  return r;
}

Json to_json(const TimeSeries& series) {
  Json j = Json::object();
  for (size_t c = 0; c < series.names.size(); ++c) j[series.names[c]] = series.columns[c];
  return j;
}

TimeSeries time_series_from_json(const Json& j) {
  TimeSeries series;
  for (const auto& [name, values] : j.items()) {
    series.names.push_back(name);
    series.columns.push_back(values.get<std::vector<double>>());
  }
  return series;
}

Json to_json(const ReplayResult& r) {
  Json ranks = Json::array();
  for (const auto& t : r.rank_times) {
    ranks.push_back(Json{{"rank", t.rank},
                         {"compute_s", t.compute_s},
                         {"exposed_comm_s", t.exposed_comm_s},
                         {"idle_s", t.idle_s}});
  }
  Json j{{"workload", "chakra-replay"},
         {"engine", "event"},
         {"trace", r.trace},
         {"cluster", r.cluster},
         {"chip", r.chip},
         {"ranks", r.ranks},
         {"nodes", r.nodes},
         {"step_time_s", r.step_time_s}};
  add_energy_report(j, r.energy);
  j.erase("tokens_per_kwh");  // a trace names no tokens
  j["network_model"] = r.network_model;
  j["per_rank"] = ranks;
  j["busiest_links"] = links_json(r.busiest_links);
  return j;
}

ReplayResult replay_result_from_json(const Json& j) {
  ReplayResult r;
  j.at("trace").get_to(r.trace);
  j.at("cluster").get_to(r.cluster);
  j.at("chip").get_to(r.chip);
  j.at("ranks").get_to(r.ranks);
  j.at("nodes").get_to(r.nodes);
  j.at("step_time_s").get_to(r.step_time_s);
  read_energy(j, r.energy);
  j.at("network_model").get_to(r.network_model);
  for (const auto& t : j.at("per_rank")) {
    r.rank_times.push_back({t.at("rank").get<int>(), t.at("compute_s").get<double>(),
                            t.at("exposed_comm_s").get<double>(), t.at("idle_s").get<double>()});
  }
  r.busiest_links = links_from_json(j.at("busiest_links"));
  return r;
}

Json to_json(const LayerStepResult& r) {
  Json j{{"workload", "layers"},
         {"engine", r.engine},
         {"devices", r.devices},
         {"layers", r.layers},
         {"collective_algorithm", r.collective_algorithm},
         {"step_time_s", r.step_time_s},
         {"compute_s", r.compute_s},
         {"exposed_comm_s", r.exposed_comm_s},
         {"comm_total_s", r.comm_total_s}};
  if (!r.network_model.empty()) {
    j["network_model"] = r.network_model;
    j["busiest_links"] = links_json(r.busiest_links);
  }
  return j;
}

LayerStepResult layer_step_result_from_json(const Json& j) {
  LayerStepResult r;
  j.at("engine").get_to(r.engine);
  j.at("devices").get_to(r.devices);
  j.at("layers").get_to(r.layers);
  j.at("collective_algorithm").get_to(r.collective_algorithm);
  j.at("step_time_s").get_to(r.step_time_s);
  j.at("compute_s").get_to(r.compute_s);
  j.at("exposed_comm_s").get_to(r.exposed_comm_s);
  j.at("comm_total_s").get_to(r.comm_total_s);
  if (j.contains("network_model")) {
    j.at("network_model").get_to(r.network_model);
    r.busiest_links = links_from_json(j.at("busiest_links"));
  }
  return r;
}

Json to_json(const EnvelopeResult& r) {
  Json j;
  j["workload"] = r.workload;
  j["chip"] = r.chip;
  j["cluster"] = r.cluster;
  j["model"] = r.model;
  j["power_budget_mw"] = r.power_budget_mw;
  if (r.max_racks > 0) j["max_racks"] = r.max_racks;
  j["cooling"] = r.cooling;
  j["pue"] = r.pue;
  j["server_peak_it_kw"] = r.server_peak_it_kw;
  j["server_facility_kw"] = r.server_facility_kw;
  j["rack_power_kw"] = r.rack_power_kw;
  j["servers_per_rack"] = r.servers_per_rack;
  j["servers"] = r.servers;
  j["racks"] = r.racks;
  j["devices"] = r.devices;
  j["devices_used"] = r.devices_used;
  j["peak_facility_mw"] = r.peak_facility_mw;
  j["binding_constraint"] = r.binding_constraint;
  j["binding_detail"] = r.binding_detail;
  j["throughput_limit"] = r.throughput_limit;
  j["throughput_detail"] = r.throughput_detail;
  const auto* serving = std::get_if<ServingResult>(&r.run);
  const auto* training = std::get_if<TrainingResult>(&r.run);
  j[serving ? "output_tokens_per_s" : "tokens_per_s"] = r.tokens_per_s;
  j["avg_it_power_mw"] = r.avg_it_power_mw;
  j["avg_facility_power_mw"] = r.avg_facility_power_mw;
  j["tokens_per_j"] = r.tokens_per_j;
  j["tokens_per_s_per_mw"] = r.tokens_per_s_per_mw;
  if (serving) j["serving"] = to_json(*serving);
  if (training) j["training"] = to_json(*training);
  return j;
}

std::string dump(const Json& json) { return json.dump(2) + "\n"; }

}  // namespace kcsim

#include "analysis/serving_load_report.hpp"

#include <fmt/format.h>

#include "configs/loader/output_files.hpp"

namespace kcsim {

void append_serving_load(nlohmann::ordered_json& j, const ServingLoadResult& l) {
  j["scheduler"] = l.scheduler;
  j["router"] = l.router;
  j["arrivals"] = l.arrivals;
  j["network_model"] = l.network_model;
  j["block_tokens"] = l.block_tokens;
  j["kv_blocks_per_replica"] = l.kv_blocks_per_replica;
  j["kv_pool_per_device_gib"] = l.kv_pool_per_device_gib;
  if (l.prefill_replicas > 0) {
    j["prefill_replicas"] = l.prefill_replicas;
    j["decode_replicas"] = l.decode_replicas;
  }
  j["requests_arrived"] = l.requests_arrived;
  j["requests_completed"] = l.requests_completed;
  j["requests_rejected"] = l.requests_rejected;
  j["requests_in_flight"] = l.requests_in_flight;
  j["ttft_p50_s"] = l.ttft_p50_s;
  j["ttft_p90_s"] = l.ttft_p90_s;
  j["ttft_p99_s"] = l.ttft_p99_s;
  j["ttft_mean_s"] = l.ttft_mean_s;
  j["tpot_p50_s"] = l.tpot_p50_s;
  j["tpot_p99_s"] = l.tpot_p99_s;
  j["tpot_mean_s"] = l.tpot_mean_s;
  j["e2e_p50_s"] = l.e2e_p50_s;
  j["e2e_p99_s"] = l.e2e_p99_s;
  j["e2e_mean_s"] = l.e2e_mean_s;
  j["slo_ttft_s"] = l.slo_ttft_s;
  j["slo_tpot_s"] = l.slo_tpot_s;
  // The run's own figures replace the closed-form ones of the same names.
  j["throughput_output_tokens_per_s"] = l.throughput_output_tokens_per_s;
  j["goodput_requests_per_s"] = l.goodput_requests_per_s;
  j["kv_utilization_mean"] = l.kv_utilization_mean;
  j["batch_size_mean"] = l.batch_size_mean;
  j["preemptions"] = l.preemptions;
  j["iterations"] = l.iterations;
  j["simulated_time_s"] = l.simulated_time_s;
  j["arrival_rate_per_s"] = l.arrival_rate_per_s;
  j["requests_in_system_mean"] = l.requests_in_system_mean;
  j["kv_transfer_bytes"] = l.kv_transfer_bytes;
  j["tp_allreduce_bytes"] = l.tp_allreduce_bytes;
  j["link_bytes_in_server"] = l.link_bytes_in_server;
  j["link_bytes_between_servers"] = l.link_bytes_between_servers;
  j["cluster_power_cap_w"] = l.cluster_power_cap_w;
  j["cluster_power_peak_w"] = l.cluster_power_peak_w;
  j["cap_throttled_iterations"] = l.cap_throttled_iterations;
  j["device_energy_per_request_j"] = l.device_energy_per_request_j;
  // The whole run's energy (idle time between requests included) over the requests it finished.
  const double completed = static_cast<double>(l.requests_completed);
  j["it_energy_per_request_wh"] = completed > 0 ? l.energy.it_j / completed / 3600 : 0;
  j["facility_energy_per_request_wh"] = completed > 0 ? l.energy.facility_j / completed / 3600 : 0;
  if (l.kv_conversion_bytes > 0 || !l.pools.empty()) {
    j["kv_conversion_bytes"] = l.kv_conversion_bytes;
  }
  if (!l.pools.empty()) {
    auto pools = nlohmann::ordered_json::array();
    for (const auto& p : l.pools) {
      pools.push_back({{"pool", p.pool},
                       {"role", p.role},
                       {"chip", p.chip},
                       {"dtype", p.dtype},
                       {"kv_dtype", p.kv_dtype},
                       {"tp", p.tp},
                       {"pp", p.pp},
                       {"replicas", p.replicas},
                       {"devices", p.devices},
                       {"kv_blocks_per_replica", p.kv_blocks_per_replica},
                       {"iterations", p.iterations},
                       {"busy_fraction", p.busy_fraction},
                       {"avg_device_power_w", p.avg_device_power_w},
                       {"device_power_peak_w", p.device_power_peak_w},
                       {"it_energy_j", p.energy.it_j},
                       {"facility_energy_j", p.energy.facility_j},
                       {"device_energy_j", p.energy.device_j + p.energy.memory_j},
                       {"avg_it_power_w", p.energy.avg_it_power_w},
                       {"servers", p.energy.servers}});
    }
    j["pools"] = pools;
  }
  if (l.fleet) {
    const ServingFleetTotals& f = *l.fleet;
    j["fleet"] = {{"copies", f.copies},
                  {"servers", f.servers},
                  {"devices", f.devices},
                  {"requests_per_s", f.requests_per_s},
                  {"requests_per_day", f.requests_per_day},
                  {"avg_it_power_mw", f.avg_it_power_mw},
                  {"avg_facility_power_mw", f.avg_facility_power_mw},
                  {"it_energy_per_day_mwh", f.it_energy_per_day_mwh},
                  {"facility_energy_per_day_mwh", f.facility_energy_per_day_mwh},
                  {"it_energy_per_year_twh", f.it_energy_per_year_twh},
                  {"facility_energy_per_year_twh", f.facility_energy_per_year_twh},
                  {"co2_per_year_t", f.co2_per_year_t},
                  {"cost_per_year_billion_krw", f.cost_per_year_billion_krw}};
  }
  auto replicas = nlohmann::ordered_json::array();
  for (const auto& u : l.replica_use) {
    replicas.push_back({{"replica", u.replica},
                        {"pool", u.pool},
                        {"iterations", u.iterations},
                        {"busy_s", u.busy_s},
                        {"compute_busy_s", u.compute_busy_s},
                        {"memory_busy_s", u.memory_busy_s},
                        {"kv_utilization_mean", u.kv_utilization_mean},
                        {"device_energy_j", u.device_energy_j},
                        {"memory_energy_j", u.memory_energy_j}});
  }
  j["replica_use"] = replicas;
  if (!l.iteration_log.empty()) {
    auto log = nlohmann::ordered_json::array();
    for (const auto& it : l.iteration_log) {
      log.push_back({{"replica", it.replica},
                     {"start_s", it.start_s},
                     {"duration_s", it.duration_s},
                     {"compute_utilization", it.compute_utilization},
                     {"memory_utilization", it.memory_utilization},
                     {"sequences", it.sequences},
                     {"prefill_tokens", it.prefill_tokens},
                     {"dvfs_speed", it.dvfs_speed},
                     {"device_power_w", it.device_power_w}});
    }
    j["iteration_log"] = log;
  }
  if (!l.power_samples.empty()) {
    auto samples = nlohmann::ordered_json::array();
    for (const auto& s : l.power_samples) {
      samples.push_back({{"time_s", s.time_s}, {"cluster_device_power_w", s.power_w}});
    }
    j["power_samples"] = samples;
  }
}

std::string format_serving_load(const ServingLoadResult& l) {
  std::string out = fmt::format("  load                  {} scheduler, {} router, {} arrivals\n",
                                l.scheduler, l.router, l.arrivals);
  out += fmt::format(
      "  requests              {} arrived, {} completed, {} rejected, {} in flight\n",
      l.requests_arrived, l.requests_completed, l.requests_rejected, l.requests_in_flight);
  out += fmt::format("  TTFT p50/p90/p99      {:.1f} / {:.1f} / {:.1f} ms\n", l.ttft_p50_s * 1e3,
                     l.ttft_p90_s * 1e3, l.ttft_p99_s * 1e3);
  out += fmt::format("  TPOT p50/p99          {:.2f} / {:.2f} ms\n", l.tpot_p50_s * 1e3,
                     l.tpot_p99_s * 1e3);
  out += fmt::format("  latency p50/p99       {:.3f} / {:.3f} s\n", l.e2e_p50_s, l.e2e_p99_s);
  out += fmt::format("  load throughput       {:.0f} output tokens/s, goodput {:.2f} requests/s\n",
                     l.throughput_output_tokens_per_s, l.goodput_requests_per_s);
  out += fmt::format(
      "  batching              {:.1f} sequences per iteration, KV {:.0f} % of {} blocks of {} "
      "tokens used, {} preemptions\n",
      l.batch_size_mean, l.kv_utilization_mean * 100, l.kv_blocks_per_replica, l.block_tokens,
      l.preemptions);
  out += fmt::format("  simulated             {:.1f} s, {} iterations, {:.3f} J per output token\n",
                     l.simulated_time_s, l.iterations, l.energy_per_output_token_j);
  if (l.cluster_power_cap_w > 0) {
    out += fmt::format(
        "  cluster power cap     {:.1f} kW: peak {:.1f} kW, {} iterations throttled\n",
        l.cluster_power_cap_w / 1e3, l.cluster_power_peak_w / 1e3, l.cap_throttled_iterations);
  } else {
    out += fmt::format("  cluster device power  peak {:.1f} kW\n", l.cluster_power_peak_w / 1e3);
  }
  for (const auto& p : l.pools) {
    out += fmt::format(
        "  {:<7} pool          {}: {} x tp {} x pp {} of {} ({}, KV {}), busy {:.0f} %, "
        "{:.0f} W per device, {:.3g} kWh IT\n",
        p.role, p.pool, p.replicas, p.tp, p.pp, p.chip, p.dtype, p.kv_dtype, p.busy_fraction * 100,
        p.avg_device_power_w, p.energy.it_j / 3.6e6);
  }
  if (!l.pools.empty()) {
    out += fmt::format("  KV caches sent        {:.3g} GB, {:.3g} GB of them converted\n",
                       l.kv_transfer_bytes / 1e9, l.kv_conversion_bytes / 1e9);
  }
  if (l.fleet) {
    const ServingFleetTotals& f = *l.fleet;
    out += fmt::format(
        "  fleet                 {} copies ({:.0f} servers): {:.4g} requests/s, {:.3g} MW IT, "
        "{:.4g} MWh IT ({:.4g} MWh facility) a day, {:.3g} TWh facility a year\n",
        f.copies, f.servers, f.requests_per_s, f.avg_it_power_mw, f.it_energy_per_day_mwh,
        f.facility_energy_per_day_mwh, f.facility_energy_per_year_twh);
  }
  return out;
}

void write_requests_csv(const std::filesystem::path& path, const ServingLoadResult& l) {
  write_file_atomically(path, [&](std::ostream& out) {
    out << "id,arrival_s,first_token_s,finish_s,ttft_s,tpot_s,e2e_s,input_tokens,output_tokens,"
           "replica,decode_replica,preemptions,status\n";
    for (const auto& r : l.requests) {
      bool done = !r.rejected && r.finish_s >= 0;
      bool first = !r.rejected && r.first_token_s >= 0;
      std::string ttft = first ? fmt::format("{:.9g}", r.first_token_s - r.arrival_s) : "";
      std::string tpot = done && r.output_tokens > 1
                             ? fmt::format("{:.9g}", (r.finish_s - r.first_token_s) /
                                                         static_cast<double>(r.output_tokens - 1))
                             : "";
      std::string e2e = done ? fmt::format("{:.9g}", r.finish_s - r.arrival_s) : "";
      const char* status = r.rejected ? "rejected" : (done ? "completed" : "in_flight");
      out << fmt::format("{},{:.9g},{},{},{},{},{},{},{},{},{},{},{}\n", r.id, r.arrival_s,
                         first ? fmt::format("{:.9g}", r.first_token_s) : "",
                         done ? fmt::format("{:.9g}", r.finish_s) : "", ttft, tpot, e2e,
                         r.input_tokens, r.output_tokens, r.replica, r.decode_replica,
                         r.preemptions, status);
    }
  });
}

}  // namespace kcsim

#include "sim/jobs/serving_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kcsim {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double position = q * static_cast<double>(values.size() - 1);
  auto below = static_cast<size_t>(std::floor(position));
  size_t above = std::min(below + 1, values.size() - 1);
  double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

namespace {

double mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// A completed request's time per output token after the first (0 for a single token).
double time_per_output_token(const RequestRecord& r) {
  return r.output_tokens > 1
             ? (r.finish_s - r.first_token_s) / static_cast<double>(r.output_tokens - 1)
             : 0.0;
}

bool meets_objectives(const ServingLoadResult& load, const RequestRecord& r) {
  return (load.slo_ttft_s <= 0 || r.first_token_s - r.arrival_s <= load.slo_ttft_s) &&
         (load.slo_tpot_s <= 0 || time_per_output_token(r) <= load.slo_tpot_s);
}

}  // namespace

double slo_attainment(const ServingLoadResult& load) {
  if (load.requests.empty()) return 0;
  long long good = 0;
  for (const auto& r : load.requests) {
    if (!r.rejected && r.finish_s >= 0 && meets_objectives(load, r)) ++good;
  }
  return static_cast<double>(good) / static_cast<double>(load.requests.size());
}

void summarize_requests(ServingLoadResult& load) {
  std::vector<double> ttft, tpot, e2e;
  long long good = 0;
  double output_tokens = 0;
  load.requests_arrived = static_cast<long long>(load.requests.size());
  load.requests_completed = load.requests_rejected = load.requests_in_flight = 0;
  load.preemptions = 0;
  for (const auto& r : load.requests) {
    load.preemptions += r.preemptions;
    if (r.rejected) {
      ++load.requests_rejected;
      continue;
    }
    if (r.finish_s < 0) {
      ++load.requests_in_flight;
      continue;
    }
    ++load.requests_completed;
    output_tokens += static_cast<double>(r.output_tokens);
    double first = r.first_token_s - r.arrival_s;
    ttft.push_back(first);
    e2e.push_back(r.finish_s - r.arrival_s);
    if (r.output_tokens > 1) tpot.push_back(time_per_output_token(r));
    if (meets_objectives(load, r)) ++good;
  }
  load.ttft_p50_s = quantile(ttft, 0.50);
  load.ttft_p90_s = quantile(ttft, 0.90);
  load.ttft_p99_s = quantile(ttft, 0.99);
  load.ttft_mean_s = mean(ttft);
  load.tpot_p50_s = quantile(tpot, 0.50);
  load.tpot_p99_s = quantile(tpot, 0.99);
  load.tpot_mean_s = mean(tpot);
  load.e2e_p50_s = quantile(e2e, 0.50);
  load.e2e_p99_s = quantile(e2e, 0.99);
  load.e2e_mean_s = mean(e2e);
  double t = load.simulated_time_s;
  load.throughput_output_tokens_per_s = t > 0 ? output_tokens / t : 0;
  load.goodput_requests_per_s = t > 0 ? static_cast<double>(good) / t : 0;
  load.arrival_rate_per_s = t > 0 ? static_cast<double>(load.requests_arrived) / t : 0;
}

ServingFleetTotals serving_fleet_totals(const ServingLoadResult& load, long long copies,
                                        int devices) {
  constexpr double kSecondsPerDay = 86400, kDaysPerYear = 365, kJoulesPerMwh = 3.6e9;
  const double t = load.simulated_time_s;
  const double n = static_cast<double>(copies);
  ServingFleetTotals fleet;
  fleet.copies = copies;
  fleet.servers = n * load.energy.servers;
  fleet.devices = n * devices;
  if (t <= 0) return fleet;
  // Over the same window as the energy, so that energy per request is the run's.
  fleet.requests_per_s = n * static_cast<double>(load.requests_arrived) / t;
  fleet.requests_per_day = fleet.requests_per_s * kSecondsPerDay;
  fleet.avg_it_power_mw = n * load.energy.it_j / t / 1e6;
  fleet.avg_facility_power_mw = n * load.energy.facility_j / t / 1e6;
  const double days_per_run = t / kSecondsPerDay;
  fleet.it_energy_per_day_mwh = n * load.energy.it_j / kJoulesPerMwh / days_per_run;
  fleet.facility_energy_per_day_mwh = n * load.energy.facility_j / kJoulesPerMwh / days_per_run;
  fleet.it_energy_per_year_twh = fleet.it_energy_per_day_mwh * kDaysPerYear / 1e6;
  fleet.facility_energy_per_year_twh = fleet.facility_energy_per_day_mwh * kDaysPerYear / 1e6;
  fleet.co2_per_year_t = n * load.energy.co2_kg / 1e3 / days_per_run * kDaysPerYear;
  fleet.cost_per_year_billion_krw = n * load.energy.cost_krw / 1e9 / days_per_run * kDaysPerYear;
  return fleet;
}

}  // namespace kcsim

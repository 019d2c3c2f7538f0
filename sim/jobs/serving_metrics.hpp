// Latency percentiles, throughput and goodput of a load-driven serving run, from its request
// records.
#pragma once

#include <vector>

#include "analysis/results.hpp"

namespace kcsim {

// The q-quantile (0..1) of `values` by linear interpolation between order statistics (as
// numpy's default); 0 for no values.
double quantile(std::vector<double> values, double q);

// Fills the request counts, latency percentiles, throughput and goodput of `load` from
// load.requests, load.simulated_time_s and the objectives in load.slo_*.
void summarize_requests(ServingLoadResult& load);

// The share of the run's requests (every one that arrived) that completed meeting both of its
// objectives; 0 when none arrived.
double slo_attainment(const ServingLoadResult& load);

// `copies` of the run's cluster, each serving the run's stream, over a day and a year at the
// run's average power (its energy, idle time included, over its simulated time); `devices` are
// the devices one copy holds.
ServingFleetTotals serving_fleet_totals(const ServingLoadResult& load, long long copies,
                                        int devices);

}  // namespace kcsim

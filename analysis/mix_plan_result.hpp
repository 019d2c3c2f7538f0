// What `kcsim plan --mix` found: each workload's options on the pools of a mixed cluster, the
// mixes they make, the frontier of facility power against cost, and the chosen mix.
#pragma once

#include <string>
#include <vector>

namespace kcsim {

// One pool's servers as a share of a mix: how many, what they provision, draw and cost.
struct MixPoolServers {
  std::string pool, chip;
  int servers = 0, devices = 0;
  // Serving: the replicas on these servers, their shape and dtypes.
  int replicas = 0, tp = 0, pp = 0;
  std::string dtype, kv_dtype;
  double provisioned_facility_kw = 0;  // at TDP, with the facility's share
  // Drawn at the demand: training at its step's average; serving, the servers' held floor plus
  // the run's facility energy above it per completed request times the demand's rate.
  double avg_facility_kw = 0;
  double cost_krw_per_h = 0;  // the servers' price amortised, and their electricity
};

// A workload on one option: the servers it needs and what it then delivers, or why it cannot.
struct MixOption {
  std::string workload;  // "training", or the serving demand's name
  std::string label;     // "h100", "h100 -> rngd" (prefill -> decode)
  std::vector<MixPoolServers> pools;
  std::string plan;  // tp x pp (x dp) and dtypes chosen
  double provisioned_facility_kw = 0, avg_facility_kw = 0, cost_krw_per_h = 0;
  // Training tokens; or output tokens at the demand: per completed request, times its rate.
  double tokens_per_s = 0;
  double tokens_per_kwh = 0;              // per facility kWh at the demand (tokens_per_s over avg)
  double slo_attainment = 0;              // serving: requests meeting both objectives
  double ttft_p99_s = 0, tpot_p99_s = 0;  // serving
  double days = 0;                        // training: the run's days at this throughput
  int trials = 0;                         // runs it took to find the size
  std::string error;                      // cannot: why (the rest is zero)
};

// A mix: one option per workload.
struct MixChoice {
  std::vector<int> options;  // per workload, an index into its options
  double provisioned_facility_mw = 0, avg_facility_mw = 0, cost_krw_per_h = 0;
  bool within_budget = false;
  bool on_frontier = false;  // no mix within the budget draws less and costs less
};

struct MixWorkload {
  std::string name, model;
  double demand_rate_per_s = 0;           // serving: requests per second
  double slo_ttft_s = 0, slo_tpot_s = 0;  // serving
  double run_tokens = 0, days = 0;        // training
  std::vector<MixOption> options;
  int best_option = -1;  // the most tokens per facility kWh among those that meet it
};

struct MixPlanResult {
  std::string cluster, objective;
  double power_budget_mw = 0, slo_attainment = 0, amortization_years = 0;
  std::vector<MixWorkload> workloads;  // training first when there is one
  std::vector<MixChoice> mixes;        // cheapest by the objective first
  int chosen = -1;                     // index into mixes
};

}  // namespace kcsim

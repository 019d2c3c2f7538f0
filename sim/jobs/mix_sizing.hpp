// One workload of a mix plan (scenario.proto, MixPlan) on one option of a mixed cluster's pools:
// the fewest servers that meet it, found by running it, and what it then provisions, draws,
// costs and delivers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analysis/mix_plan_result.hpp"
#include "cluster.pb.h"
#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cost/job_origin.hpp"

namespace kcsim {

// One server of a pool, as the plan buys it.
struct PoolServer {
  std::string name, chip;
  int devices = 0;             // per server
  bool trains = false;         // the chip's catalog entry says it trains
  double facility_peak_w = 0;  // at TDP with its facility share (server_facility_peak)
  double price_krw = 0;        // Pool.server_price_krw
};

// The mixed cluster the plan sizes, its pools as kinds of server, and what a server-hour costs.
class MixCluster {
 public:
  // Throws InputError at `where` when `mixed` has no pools.
  MixCluster(const config::Cluster& mixed, const config::Catalog& catalog, const Origin& where,
             double amortization_years);

  const std::vector<PoolServer>& pools() const { return pools_; }
  const PoolServer* pool(const std::string& name) const;
  const config::Cluster& config() const { return mixed_; }
  const config::Catalog& catalog() const { return catalog_; }
  // `pool` as a cluster of its own with `servers` servers (pool_cluster), the other pools of the
  // mixed cluster sized by `others` (a decode pool's servers).
  config::Cluster pool_cluster(const std::string& pool, int servers,
                               const std::map<std::string, int>& others = {}) const;
  // `servers` of `pool` drawing `avg_facility_w` in all (their share of it): what they provision,
  // draw and cost an hour.
  MixPoolServers share(const PoolServer& pool, int servers, double avg_facility_w) const;

 private:
  config::Cluster mixed_;
  const config::Catalog& catalog_;
  config::LoadedFile file_;
  std::vector<PoolServer> pools_;
  double amortization_hours_ = 0;
  double electricity_krw_per_kwh_ = 0;
};

// The training job on `pool`: the fewest servers whose searched plan (or the job's own plan,
// when it sets one without auto_plan) trains its run_tokens within `days`, tried up to what
// `max_facility_w` provisions. An option that cannot meet it carries the reason.
MixOption size_training(const MixCluster& cluster, const config::MixTraining& training,
                        const PoolServer& pool, double max_facility_w, const JobOrigin& origin);

// The serving demand on `option`: the fewest replicas (on one pool, or prefill and decode
// replicas on two) whose load run has `attainment` of its requests meeting both objectives,
// none rejected, tried up to what `max_facility_w` provisions.
MixOption size_serving(const MixCluster& cluster, const config::ServingJob& demand,
                       const config::MixServingOption& option, double attainment,
                       double max_facility_w, const JobOrigin& origin);

}  // namespace kcsim

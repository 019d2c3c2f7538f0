#include "sim/jobs/mix_sizing.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/dtype.hpp"
#include "configs/loader/errors.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/serving_load_options.hpp"
#include "sim/jobs/envelope_plan.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/jobs/serving_metrics.hpp"
#include "sim/power/cluster_energy.hpp"

namespace kcsim {
namespace {

constexpr double kHoursPerYear = 8766;  // 365.25 days
constexpr double kSecondsPerDay = 86400;

int ceil_div(long long a, long long b) { return static_cast<int>((a + b - 1) / b); }

// The smallest n in (fail, hi] for which `meets` holds, given that it fails at `fail` (0: below
// every size) and holds from some size on: tried from `start`, growing by a quarter (at least
// one) until it holds, then bisected. 0 when it holds nowhere up to `hi`.
int smallest_meeting(int fail, int start, int hi, const std::function<bool(int)>& meets) {
  int n = std::clamp(start, fail + 1, hi);
  int found = 0;
  while (true) {
    if (meets(n)) {
      found = n;
      break;
    }
    fail = n;
    if (n >= hi) return 0;
    n = std::min(hi, n + std::max(1, n / 4));
  }
  while (found - fail > 1) {
    int mid = fail + (found - fail) / 2;
    (meets(mid) ? found : fail) = mid;
  }
  return found;
}

}  // namespace

MixCluster::MixCluster(const config::Cluster& mixed, const config::Catalog& catalog,
                       const Origin& where, double amortization_years)
    : mixed_(mixed),
      catalog_(catalog),
      file_(config::LoadedFile::unlocated(mixed.name(), config::Cluster::descriptor())),
      amortization_hours_(amortization_years * kHoursPerYear),
      electricity_krw_per_kwh_(mixed.facility().electricity_krw_per_kwh()) {
  if (mixed.pools_size() == 0) {
    throw_input_error(where, "cluster",
                      fmt::format("\"{}\" is a cluster of one kind of server; a mix plan chooses "
                                  "among the pools of a cluster that lists several (as "
                                  "configs/clusters/kcloud-mixed.textproto)",
                                  mixed.name()));
  }
  for (const auto& p : mixed.pools()) {
    config::Cluster one = pool_cluster(p.name(), 1);
    ClusterModel model = resolve_cluster(one, catalog);
    PoolServer server;
    server.name = p.name();
    server.chip = model.chip.name();
    server.devices = model.tiers.devices_per_node;
    server.trains = model.chip.trains();
    server.facility_peak_w = server_facility_peak(one, catalog).total_w();
    server.price_krw = p.server_price_krw();
    pools_.push_back(std::move(server));
  }
}

const PoolServer* MixCluster::pool(const std::string& name) const {
  for (const auto& p : pools_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

config::Cluster MixCluster::pool_cluster(const std::string& pool, int servers,
                                         const std::map<std::string, int>& others) const {
  config::Cluster sized = mixed_;
  for (auto& p : *sized.mutable_pools()) {
    if (p.name() == pool) p.set_nodes(servers);
    if (auto it = others.find(p.name()); it != others.end()) p.set_nodes(it->second);
  }
  return config::pool_cluster(catalog_.cluster_lookup(), sized, pool, file_);
}

MixPoolServers MixCluster::share(const PoolServer& pool, int servers, double avg_facility_w) const {
  MixPoolServers s;
  s.pool = pool.name;
  s.chip = pool.chip;
  s.servers = servers;
  s.devices = servers * pool.devices;
  s.provisioned_facility_kw = servers * pool.facility_peak_w / 1e3;
  s.avg_facility_kw = avg_facility_w / 1e3;
  s.cost_krw_per_h =
      servers * pool.price_krw / amortization_hours_ + s.avg_facility_kw * electricity_krw_per_kwh_;
  return s;
}

namespace {

// The replicas `servers` hold: their count, shape and dtypes.
MixPoolServers with_replicas(MixPoolServers s, int replicas, int tp, int pp,
                             const std::string& dtype, const std::string& kv_dtype) {
  s.replicas = replicas;
  s.tp = tp;
  s.pp = pp;
  s.dtype = dtype;
  s.kv_dtype = kv_dtype;
  return s;
}

void add_pool(MixOption& o, MixPoolServers s) {
  o.provisioned_facility_kw += s.provisioned_facility_kw;
  o.avg_facility_kw += s.avg_facility_kw;
  o.cost_krw_per_h += s.cost_krw_per_h;
  o.pools.push_back(std::move(s));
}

std::string servers_word(int n) { return n == 1 ? "server" : "servers"; }

}  // namespace

MixOption size_training(const MixCluster& cluster, const config::MixTraining& training,
                        const PoolServer& pool, double max_facility_w, const JobOrigin& origin) {
  MixOption o;
  o.workload = "training";
  o.label = pool.name;
  const config::TrainingJob& job = training.job();
  const double required = job.run_tokens() / (training.days() * kSecondsPerDay);
  const int most = static_cast<int>(std::floor(max_facility_w / pool.facility_peak_w));
  if (most < 1) {
    o.error = fmt::format("one {} server needs {:.1f} kW of facility power, more than the budget",
                          pool.name, pool.facility_peak_w / 1e3);
    return o;
  }
  config::TrainingJob trial = job;
  trial.clear_devices();
  trial.set_charge_whole_servers(true);
  if (!job.has_plan() || job.auto_plan()) trial.set_auto_plan(true);
  std::string last_error;
  std::map<int, std::optional<TrainingResult>> tried;
  auto attempt = [&](int servers) -> const std::optional<TrainingResult>& {
    auto it = tried.find(servers);
    if (it != tried.end()) return it->second;
    ++o.trials;
    std::optional<TrainingResult> result;
    try {
      ClusterModel model =
          resolve_cluster(cluster.pool_cluster(pool.name, servers), cluster.catalog());
      result = run_training_job(trial, model, cluster.catalog(), origin);
    } catch (const InfeasibleError& e) {
      last_error = e.what();
    }
    return tried.emplace(servers, std::move(result)).first->second;
  };
  auto meets = [&](int servers) {
    const auto& r = attempt(servers);
    return r && r->tokens_per_s >= required;
  };

  // The first size the job runs on at all, then a guess from its pace per server.
  int first = 1;
  while (!attempt(first)) {
    if (first >= most || !pool.trains) {
      o.error =
          fmt::format("on up to {} {} {}: {}", first, pool.name, servers_word(first), last_error);
      return o;
    }
    first = std::min(most, first * 2);
  }
  const double per_server = attempt(first)->tokens_per_s / first;
  int guess = std::max(first, static_cast<int>(std::ceil(required / per_server)));
  // The searched plan's pace never falls with more servers (each size's plans include those of
  // a smaller one), so the bisection's answer is the fewest.
  int servers = smallest_meeting(first - 1, guess, most, meets);
  if (servers == 0) {
    const auto& at_most = attempt(most);
    o.error = at_most
                  ? fmt::format(
                        "{} {} {} (all the budget provisions) train {:.3g} tokens in "
                        "{:.1f} days, not {:.1f}",
                        most, pool.name, servers_word(most), job.run_tokens(),
                        job.run_tokens() / at_most->tokens_per_s / kSecondsPerDay, training.days())
                  : fmt::format("on {} {} {}: {}", most, pool.name, servers_word(most), last_error);
    return o;
  }
  const TrainingResult& r = *attempt(servers);
  add_pool(o, with_replicas(cluster.share(pool, servers, r.energy.avg_facility_power_w), r.dp, r.tp,
                            r.pp, r.dtype, ""));
  o.plan =
      fmt::format("tp {} x pp {} x dp {} ({} of {} devices), ZeRO {}, {}, MFU {:.1f} %", r.tp, r.pp,
                  r.dp, r.devices, servers * pool.devices, r.zero_stage, r.dtype, 100 * r.mfu);
  o.tokens_per_s = r.tokens_per_s;
  o.tokens_per_kwh = r.energy.tokens_per_kwh;
  o.days = job.run_tokens() / r.tokens_per_s / kSecondsPerDay;
  return o;
}

namespace {

// The demand's job as `option` runs it with its size left open: the option's dtypes and tp, every
// server charged in full (the plan buys whole servers), and a decode pool when it names one.
config::ServingJob option_job(const config::ServingJob& demand,
                              const config::MixServingOption& option) {
  config::ServingJob job = demand;
  job.set_charge_whole_servers(true);
  if (option.has_dtype()) job.set_dtype(option.dtype());
  if (option.has_kv_dtype()) job.set_kv_dtype(option.kv_dtype());
  if (option.has_tp()) job.set_tp(option.tp());
  if (option.has_decode_pool()) {
    job.mutable_load()->set_scheduler(kDisaggregated);
    job.mutable_load()->clear_prefill_replicas();
    auto* decode = job.mutable_decode_pool();
    decode->set_pool(option.decode_pool());
    if (option.has_decode_dtype()) decode->set_dtype(option.decode_dtype());
    if (option.has_decode_kv_dtype()) decode->set_kv_dtype(option.decode_kv_dtype());
    if (option.has_decode_tp()) decode->set_tp(option.decode_tp());
  }
  return job;
}

// Devices of one replica of `job` on `pool` (its spec on a few of the pool's servers).
ServingSpec replica_spec(const MixCluster& cluster, const config::ServingJob& job,
                         const PoolServer& pool, const JobOrigin& origin) {
  constexpr int kProbeDevices = 64;  // room for a replica of up to 64 devices
  config::ServingJob alone = job;
  alone.clear_load();
  alone.clear_decode_pool();
  ClusterModel probe = resolve_cluster(
      cluster.pool_cluster(pool.name, ceil_div(kProbeDevices, pool.devices)), cluster.catalog());
  return serving_job_spec(alone, probe, cluster.catalog(), origin);
}

// What `model`'s servers draw from the facility with every device held by the job and nothing
// running: a serving pool's floor, whatever its load.
double held_floor_w(const ClusterModel& model) {
  const int devices = model.devices();
  const double held_w = model.chip.idle_w() + model.chip.held_above_idle_w();
  return cluster_energy(model, DeviceEnergy{held_w * devices, 0}, 1.0, LinkActivity{}, 0,
                        EnergyAttribution{devices, true})
      .facility_j;
}

std::string replica_text(int replicas, const ServingSpec& s) {
  std::string text = fmt::format("{} x tp {}", replicas, s.tp);
  if (s.pp > 1) text += fmt::format(" x pp {}", s.pp);
  text += " " + dtype_name(s.dtype);
  if (s.kv_dtype != s.dtype) text += fmt::format(" (KV {})", dtype_name(s.kv_dtype));
  return text;
}

}  // namespace

MixOption size_serving(const MixCluster& cluster, const config::ServingJob& demand,
                       const config::MixServingOption& option, double attainment,
                       double max_facility_w, const JobOrigin& origin) {
  MixOption o;
  const PoolServer& prefill = *cluster.pool(option.pool());
  const PoolServer* decode =
      option.has_decode_pool() ? cluster.pool(option.decode_pool()) : nullptr;
  o.label = decode ? option.pool() + " -> " + option.decode_pool() : option.pool();
  const config::ServingJob job = option_job(demand, option);
  ServingSpec prefill_spec, decode_spec;
  try {
    prefill_spec = replica_spec(cluster, job, prefill, origin);
    if (decode) decode_spec = replica_spec(cluster, decode_pool_job(job), *decode, origin);
  } catch (const InfeasibleError& e) {
    o.error = e.what();
    return o;
  }
  const int prefill_devices = prefill_spec.tp * prefill_spec.pp;
  const int decode_devices = decode_spec.tp * decode_spec.pp;
  auto servers_of = [&](int p, int d) {
    return std::pair{
        ceil_div(static_cast<long long>(p) * prefill_devices, prefill.devices),
        decode ? ceil_div(static_cast<long long>(d) * decode_devices, decode->devices) : 0};
  };
  auto provisioned_w = [&](int p, int d) {
    auto [sp, sd] = servers_of(p, d);
    return sp * prefill.facility_peak_w + (decode ? sd * decode->facility_peak_w : 0.0);
  };

  std::map<std::pair<int, int>, ServingResult> tried;
  std::string failure;
  auto attempt = [&](int p, int d) -> const ServingResult& {
    auto key = std::pair{p, decode ? d : 0};
    if (auto it = tried.find(key); it != tried.end()) return it->second;
    ++o.trials;
    config::ServingJob trial = job;
    trial.set_replicas(p);
    if (decode) trial.mutable_decode_pool()->set_replicas(d);
    auto [sp, sd] = servers_of(p, d);
    std::map<std::string, int> others;
    if (decode) others[decode->name] = sd;
    ClusterModel model =
        resolve_cluster(cluster.pool_cluster(prefill.name, sp, others), cluster.catalog());
    return tried.emplace(key, run_serving_job(trial, model, cluster.catalog(), origin))
        .first->second;
  };
  auto meets = [&](int p, int d) {
    const ServingLoadResult& load = *attempt(p, d).load;
    return load.requests_rejected == 0 && slo_attainment(load) >= attainment;
  };
  // The largest n for which `provisioned(n)` fits the budget.
  auto most = [&](const std::function<double(int)>& provisioned) {
    int n = 0;
    for (int step = 1 << 20; step > 0; step /= 2) {
      if (provisioned(n + step) <= max_facility_w) n += step;
    }
    return n;
  };
  // A first guess from one replica a side: the requests per second it completes, saturated.
  auto guess_from_one = [&]() {
    const ServingLoadResult& load = *attempt(1, 1).load;
    double served = load.simulated_time_s > 0 ? load.requests_completed / load.simulated_time_s : 0;
    double rate = load.arrival_rate_per_s;
    return served > 0 ? static_cast<int>(std::ceil(rate / served)) : 2;
  };

  int p = 0, d = 0;
  try {
    if (!decode) {
      int hi = most([&](int n) { return provisioned_w(n, 0); });
      if (hi < 1) {
        o.error = fmt::format(
            "one replica ({} devices) needs {:.1f} kW of facility power, more "
            "than the budget",
            prefill_devices, provisioned_w(1, 0) / 1e3);
        return o;
      }
      if (meets(1, 0)) {
        p = 1;
      } else {
        p = smallest_meeting(1, guess_from_one(), hi, [&](int n) { return meets(n, 0); });
      }
      if (p == 0) failure = fmt::format("{} replicas (all the budget provisions)", hi);
    } else {
      int hi = most([&](int n) { return provisioned_w(n, n); });
      if (hi < 1) {
        o.error = fmt::format(
            "one replica a side needs {:.1f} kW of facility power, more than "
            "the budget",
            provisioned_w(1, 1) / 1e3);
        return o;
      }
      // As many on each side, then each side cut to what the other leaves it needing.
      int k = meets(1, 1)
                  ? 1
                  : smallest_meeting(1, guess_from_one(), hi, [&](int n) { return meets(n, n); });
      if (k == 0) {
        failure = fmt::format("{} replicas a side (all the budget provisions)", hi);
      } else {
        p = smallest_meeting(0, k, k, [&](int n) { return meets(n, k); });
        d = smallest_meeting(0, k, k, [&](int n) { return meets(p, n); });
      }
    }
  } catch (const InfeasibleError& e) {
    o.error = e.what();
    return o;
  }
  if (!failure.empty()) {
    const auto& [key, last] = *tried.rbegin();
    const ServingLoadResult& load = *last.load;
    o.error = fmt::format("{} meet the objectives for {:.0f} % of requests, not {:.0f} %{}",
                          failure, 100 * slo_attainment(load), 100 * attainment,
                          load.requests_rejected > 0
                              ? fmt::format(" ({} rejected)", load.requests_rejected)
                              : std::string());
    return o;
  }
  const ServingResult& r = attempt(p, d);
  const ServingLoadResult& load = *r.load;
  auto [sp, sd] = servers_of(p, d);
  double last_arrival = 0;
  for (const auto& q : load.requests) last_arrival = std::max(last_arrival, q.arrival_s);
  const double rate = demand.load().has_rate_per_s() || last_arrival <= 0
                          ? demand.load().rate_per_s()
                          : static_cast<double>(load.requests_arrived) / last_arrival;
  const double per_request = load.requests_completed > 0 ? rate / load.requests_completed : 0;
  // Power at the demand: each pool's held floor, plus its energy above that floor per completed
  // request times the demand's rate. A finite stream ends with a drain (the last requests
  // decoding on servers otherwise idle); charged by time, as the run's own average is, it would
  // favour the slower option, and charged per request it would count the drain's floor as work.
  std::map<std::string, int> sizes{{prefill.name, sp}};
  if (decode) sizes[decode->name] = sd;
  auto at_demand = [&](const PoolServer& pool, int servers, double facility_j) {
    std::map<std::string, int> others = sizes;
    others.erase(pool.name);
    ClusterModel model =
        resolve_cluster(cluster.pool_cluster(pool.name, servers, others), cluster.catalog());
    const double floor_w = held_floor_w(model);
    return floor_w + std::max(0.0, facility_j - floor_w * load.simulated_time_s) * per_request;
  };
  if (decode) {
    add_pool(
        o, with_replicas(cluster.share(prefill, sp,
                                       at_demand(prefill, sp, load.pools.at(0).energy.facility_j)),
                         p, prefill_spec.tp, prefill_spec.pp, dtype_name(prefill_spec.dtype),
                         dtype_name(prefill_spec.kv_dtype)));
    add_pool(
        o, with_replicas(cluster.share(*decode, sd,
                                       at_demand(*decode, sd, load.pools.at(1).energy.facility_j)),
                         d, decode_spec.tp, decode_spec.pp, dtype_name(decode_spec.dtype),
                         dtype_name(decode_spec.kv_dtype)));
    o.plan = replica_text(p, prefill_spec) + " -> " + replica_text(d, decode_spec);
  } else {
    add_pool(
        o, with_replicas(cluster.share(prefill, sp, at_demand(prefill, sp, load.energy.facility_j)),
                         p, prefill_spec.tp, prefill_spec.pp, dtype_name(prefill_spec.dtype),
                         dtype_name(prefill_spec.kv_dtype)));
    o.plan = replica_text(p, prefill_spec);
  }
  o.tokens_per_s = load.throughput_output_tokens_per_s * load.simulated_time_s * per_request;
  o.tokens_per_kwh = o.avg_facility_kw > 0 ? o.tokens_per_s * 3600 / o.avg_facility_kw : 0;
  o.slo_attainment = slo_attainment(load);
  o.ttft_p99_s = load.ttft_p99_s;
  o.tpot_p99_s = load.tpot_p99_s;
  return o;
}

}  // namespace kcsim

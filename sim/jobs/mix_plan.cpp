#include "sim/jobs/mix_plan.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/errors.hpp"
#include "sim/jobs/mix_sizing.hpp"

namespace kcsim {

const char* mix_objective_names() { return "facility-power or cost"; }

namespace {

constexpr long long kMaxMixes = 100000;

// The plan block itself, for what is missing from it.
Origin plan_origin(const JobOrigin& origin) {
  return origin.file ? origin.file->locate(origin.path) : Origin{};
}

void check_plan(const config::MixPlan& plan, const MixCluster& cluster, const JobOrigin& origin) {
  if (!plan.has_power_budget_mw()) {
    throw_input_error(plan_origin(origin), "power_budget_mw",
                      "a mix plan needs a facility power budget");
  }
  if (plan.objective() != "facility-power" && plan.objective() != "cost") {
    throw_input_error(
        origin.at("objective"), "objective",
        fmt::format("unknown objective \"{}\"; use {}", plan.objective(), mix_objective_names()));
  }
  if (!plan.has_training() && plan.serving_size() == 0) {
    throw_input_error(plan_origin(origin), "training, serving",
                      "a mix plan needs a training job or a serving demand");
  }
  const std::string pools =
      fmt::format("{}", fmt::join(config::pool_names(cluster.config()), ", "));
  auto check_pool = [&](const std::string& name, const std::string& field) {
    if (!cluster.pool(name)) {
      throw_input_error(origin.at(field), field,
                        fmt::format("\"{}\" has no pool \"{}\"; its pools: {}",
                                    cluster.config().name(), name, pools));
    }
  };
  if (plan.has_training()) {
    const auto& t = plan.training();
    if (!t.job().has_run_tokens()) {
      throw_input_error(origin.at("training.job"), "training.job.run_tokens",
                        "the training job to finish needs its run's tokens");
    }
    if (!t.has_days()) {
      throw_input_error(origin.at("training"), "training.days",
                        "the days the training run must finish in");
    }
    for (int i = 0; i < t.pools_size(); ++i) {
      check_pool(t.pools(i), fmt::format("training.pools[{}]", i));
    }
  }
  for (int i = 0; i < plan.serving_size(); ++i) {
    const std::string path = fmt::format("serving[{}]", i);
    const auto& s = plan.serving(i);
    if (!s.job().has_load()) {
      throw_input_error(origin.at(path + ".job"), path + ".job.load",
                        "a serving demand is a request stream: give load { rate_per_s requests "
                        "slo_ttft_s slo_tpot_s }");
    }
    const auto& load = s.job().load();
    if (!load.has_slo_ttft_s() && !load.has_slo_tpot_s()) {
      throw_input_error(origin.at(path + ".job.load"), path + ".job.load.slo_ttft_s",
                        "a serving demand is met at its objectives: give slo_ttft_s, slo_tpot_s "
                        "or both");
    }
    if (s.job().has_replicas() || s.job().has_decode_pool()) {
      std::string field = s.job().has_replicas() ? "replicas" : "decode_pool";
      throw_input_error(origin.at(path + ".job." + field), path + ".job." + field,
                        "the plan chooses the replicas and the pools: give them as options");
    }
    for (int j = 0; j < s.options_size(); ++j) {
      const auto& o = s.options(j);
      const std::string at = fmt::format("{}.options[{}]", path, j);
      check_pool(o.pool(), at + ".pool");
      if (o.has_decode_pool()) {
        check_pool(o.decode_pool(), at + ".decode_pool");
        if (o.decode_pool() == o.pool()) {
          throw_input_error(origin.at(at + ".decode_pool"), at + ".decode_pool",
                            "the pool that prefills; prefill and decode on one pool is the "
                            "option without decode_pool");
        }
      }
    }
  }
  if (plan.objective() == "cost") {
    for (const auto& p : cluster.pools()) {
      if (p.price_krw <= 0) {
        throw_input_error(origin.at("objective"), "objective",
                          fmt::format("planning by cost needs every pool's server_price_krw; "
                                      "pool \"{}\" of \"{}\" has none",
                                      p.name, cluster.config().name()));
      }
    }
  }
}

// The pools a workload is tried on when its block lists none.
std::vector<config::MixServingOption> default_options(const MixCluster& cluster) {
  std::vector<config::MixServingOption> options;
  for (const auto& p : cluster.pools()) {
    config::MixServingOption o;
    o.set_pool(p.name);
    options.push_back(o);
  }
  return options;
}

void pick_best(MixWorkload& w) {
  for (size_t i = 0; i < w.options.size(); ++i) {
    const auto& o = w.options[i];
    if (!o.error.empty()) continue;
    if (w.best_option < 0 || o.tokens_per_kwh > w.options[w.best_option].tokens_per_kwh) {
      w.best_option = static_cast<int>(i);
    }
  }
}

// Every combination of one workable option per workload.
std::vector<MixChoice> combine(const std::vector<MixWorkload>& workloads, double budget_mw) {
  std::vector<std::vector<int>> workable(workloads.size());
  long long count = 1;
  for (size_t w = 0; w < workloads.size(); ++w) {
    for (size_t i = 0; i < workloads[w].options.size(); ++i) {
      if (workloads[w].options[i].error.empty()) workable[w].push_back(static_cast<int>(i));
    }
    count *= static_cast<long long>(workable[w].size());
    if (count > kMaxMixes) {
      throw InputError(
          fmt::format("a mix plan of more than {} combinations; give the "
                      "workloads fewer options",
                      kMaxMixes));
    }
  }
  std::vector<MixChoice> mixes;
  if (count == 0) return mixes;
  std::vector<size_t> at(workloads.size(), 0);
  while (true) {
    MixChoice m;
    for (size_t w = 0; w < workloads.size(); ++w) {
      const MixOption& o = workloads[w].options[workable[w][at[w]]];
      m.options.push_back(workable[w][at[w]]);
      m.provisioned_facility_mw += o.provisioned_facility_kw / 1e3;
      m.avg_facility_mw += o.avg_facility_kw / 1e3;
      m.cost_krw_per_h += o.cost_krw_per_h;
    }
    m.within_budget = m.provisioned_facility_mw <= budget_mw;
    mixes.push_back(std::move(m));
    size_t w = 0;
    while (w < at.size() && ++at[w] == workable[w].size()) at[w++] = 0;
    if (w == at.size()) break;
  }
  return mixes;
}

// Within the budget, no other mix draws no more and costs no more, and one of the two less.
void mark_frontier(std::vector<MixChoice>& mixes) {
  for (auto& m : mixes) {
    if (!m.within_budget) continue;
    m.on_frontier = std::none_of(mixes.begin(), mixes.end(), [&](const MixChoice& other) {
      return other.within_budget && other.avg_facility_mw <= m.avg_facility_mw &&
             other.cost_krw_per_h <= m.cost_krw_per_h &&
             (other.avg_facility_mw < m.avg_facility_mw || other.cost_krw_per_h < m.cost_krw_per_h);
    });
  }
}

std::string why_none(const MixPlanResult& r) {
  for (const auto& w : r.workloads) {
    if (w.best_option >= 0) continue;
    std::string reasons;
    for (const auto& o : w.options) reasons += fmt::format("; {}: {}", o.label, o.error);
    return fmt::format("no option meets {}{}", w.name, reasons);
  }
  const MixChoice* least = nullptr;
  for (const auto& m : r.mixes) {
    if (!least || m.provisioned_facility_mw < least->provisioned_facility_mw) least = &m;
  }
  if (!least) return "no mix";
  std::vector<std::string> labels;
  for (size_t w = 0; w < r.workloads.size(); ++w) {
    labels.push_back(r.workloads[w].name + " on " +
                     r.workloads[w].options[least->options[w]].label);
  }
  return fmt::format(
      "the least mix provisions {:.3f} MW, more than the {:.3f} MW budget; a "
      "budget of {:.3f} MW fits {}",
      least->provisioned_facility_mw, r.power_budget_mw, least->provisioned_facility_mw,
      fmt::join(labels, ", "));
}

}  // namespace

MixPlanResult plan_mix(const config::MixPlan& plan, const config::Cluster& mixed,
                       const config::Catalog& catalog, const JobOrigin& origin) {
  MixCluster cluster(mixed, catalog, origin.at("cluster"), plan.amortization_years());
  check_plan(plan, cluster, origin);
  const double budget_w = plan.power_budget_mw() * 1e6;

  MixPlanResult r;
  r.cluster = mixed.name();
  r.objective = plan.objective();
  r.power_budget_mw = plan.power_budget_mw();
  r.slo_attainment = plan.slo_attainment();
  r.amortization_years = plan.amortization_years();
  if (plan.has_training()) {
    const auto& t = plan.training();
    MixWorkload w;
    w.name = "training";
    w.model = t.job().model();
    w.run_tokens = t.job().run_tokens();
    w.days = t.days();
    const JobOrigin job_origin{origin.file, origin.path + ".training.job"};
    for (const auto& p : cluster.pools()) {
      bool listed = std::find(t.pools().begin(), t.pools().end(), p.name) != t.pools().end();
      if (t.pools_size() > 0 ? !listed : !p.trains) continue;
      w.options.push_back(size_training(cluster, t, p, budget_w, job_origin));
    }
    pick_best(w);
    r.workloads.push_back(std::move(w));
  }
  for (int i = 0; i < plan.serving_size(); ++i) {
    const auto& s = plan.serving(i);
    MixWorkload w;
    w.model = s.job().model();
    w.name = s.has_name() ? s.name() : w.model;
    w.demand_rate_per_s = s.job().load().rate_per_s();
    w.slo_ttft_s = s.job().load().slo_ttft_s();
    w.slo_tpot_s = s.job().load().slo_tpot_s();
    const JobOrigin job_origin{origin.file, fmt::format("{}.serving[{}].job", origin.path, i)};
    auto options = s.options_size() > 0 ? std::vector<config::MixServingOption>(s.options().begin(),
                                                                                s.options().end())
                                        : default_options(cluster);
    for (const auto& o : options) {
      w.options.push_back(
          size_serving(cluster, s.job(), o, plan.slo_attainment(), budget_w, job_origin));
      w.options.back().workload = w.name;
    }
    pick_best(w);
    r.workloads.push_back(std::move(w));
  }

  r.mixes = combine(r.workloads, r.power_budget_mw);
  const bool by_cost = r.objective == "cost";
  std::stable_sort(r.mixes.begin(), r.mixes.end(), [&](const MixChoice& a, const MixChoice& b) {
    return by_cost ? std::pair{a.cost_krw_per_h, a.avg_facility_mw} <
                         std::pair{b.cost_krw_per_h, b.avg_facility_mw}
                   : std::pair{a.avg_facility_mw, a.cost_krw_per_h} <
                         std::pair{b.avg_facility_mw, b.cost_krw_per_h};
  });
  mark_frontier(r.mixes);
  for (size_t i = 0; i < r.mixes.size(); ++i) {
    if (r.mixes[i].within_budget) {
      r.chosen = static_cast<int>(i);
      break;
    }
  }
  if (r.chosen < 0) throw InfeasibleError("no mix meets the plan: " + why_none(r));
  return r;
}

}  // namespace kcsim

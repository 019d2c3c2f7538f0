#include "analysis/mix_plan_report.hpp"

#include <vector>

#include <fmt/format.h>

#include "analysis/table.hpp"

namespace kcsim {
namespace {

using Json = nlohmann::ordered_json;

bool is_training(const MixWorkload& w) { return w.run_tokens > 0; }

// The mixes a report lists: the first kMixesShown by the objective, and any frontier mix after.
std::vector<size_t> shown_mixes(const MixPlanResult& r) {
  std::vector<size_t> shown;
  for (size_t i = 0; i < r.mixes.size(); ++i) {
    if (i < kMixesShown || r.mixes[i].on_frontier) shown.push_back(i);
  }
  return shown;
}

std::string servers_text(const MixOption& o) {
  std::string text;
  for (const auto& p : o.pools) {
    if (!text.empty()) text += " + ";
    text += fmt::format("{} {}", p.servers, p.pool);
  }
  return text;
}

std::string demand_text(const MixWorkload& w) {
  if (is_training(w)) {
    return fmt::format("training {}: {:.4g} tokens in {:.4g} days", w.model, w.run_tokens, w.days);
  }
  std::vector<std::string> slo;
  if (w.slo_ttft_s > 0) slo.push_back(fmt::format("TTFT <= {:.4g} s", w.slo_ttft_s));
  if (w.slo_tpot_s > 0) slo.push_back(fmt::format("TPOT <= {:.4g} s", w.slo_tpot_s));
  return fmt::format("serving {} ({}): {:.4g} requests/s, {}", w.name, w.model, w.demand_rate_per_s,
                     fmt::join(slo, ", "));
}

}  // namespace

Json mix_plan_json(const MixPlanResult& r) {
  Json workloads = Json::array();
  for (const auto& w : r.workloads) {
    Json jw{{"name", w.name}, {"model", w.model}};
    if (is_training(w)) {
      jw["run_tokens"] = w.run_tokens;
      jw["days"] = w.days;
    } else {
      jw["demand_rate_per_s"] = w.demand_rate_per_s;
      jw["slo_ttft_s"] = w.slo_ttft_s;
      jw["slo_tpot_s"] = w.slo_tpot_s;
    }
    jw["best_option"] = w.best_option >= 0 ? Json(w.options[w.best_option].label) : Json();
    Json options = Json::array();
    for (const auto& o : w.options) {
      Json jo{{"option", o.label}};
      if (!o.error.empty()) {
        jo["error"] = o.error;
        options.push_back(std::move(jo));
        continue;
      }
      Json pools = Json::array();
      for (const auto& p : o.pools) {
        pools.push_back(Json{{"pool", p.pool},
                             {"chip", p.chip},
                             {"servers", p.servers},
                             {"devices", p.devices},
                             {"replicas", p.replicas},
                             {"tp", p.tp},
                             {"pp", p.pp},
                             {"dtype", p.dtype},
                             {"kv_dtype", p.kv_dtype},
                             {"provisioned_facility_kw", p.provisioned_facility_kw},
                             {"avg_facility_kw", p.avg_facility_kw},
                             {"cost_krw_per_h", p.cost_krw_per_h}});
      }
      jo["plan"] = o.plan;
      jo["pools"] = std::move(pools);
      jo["provisioned_facility_kw"] = o.provisioned_facility_kw;
      jo["avg_facility_kw"] = o.avg_facility_kw;
      jo["cost_krw_per_h"] = o.cost_krw_per_h;
      jo["tokens_per_s"] = o.tokens_per_s;
      jo["tokens_per_kwh"] = o.tokens_per_kwh;
      if (is_training(w)) {
        jo["days"] = o.days;
      } else {
        jo["slo_attainment"] = o.slo_attainment;
        jo["ttft_p99_s"] = o.ttft_p99_s;
        jo["tpot_p99_s"] = o.tpot_p99_s;
      }
      jo["trials"] = o.trials;
      options.push_back(std::move(jo));
    }
    jw["options"] = std::move(options);
    workloads.push_back(std::move(jw));
  }
  Json mixes = Json::array();
  for (size_t i : shown_mixes(r)) {
    const MixChoice& m = r.mixes[i];
    Json chosen_options;
    for (size_t w = 0; w < r.workloads.size(); ++w) {
      chosen_options[r.workloads[w].name] = r.workloads[w].options[m.options[w]].label;
    }
    mixes.push_back(Json{{"options", std::move(chosen_options)},
                         {"provisioned_facility_mw", m.provisioned_facility_mw},
                         {"avg_facility_mw", m.avg_facility_mw},
                         {"cost_krw_per_h", m.cost_krw_per_h},
                         {"within_budget", m.within_budget},
                         {"on_frontier", m.on_frontier}});
  }
  Json j{{"cluster", r.cluster},
         {"objective", r.objective},
         {"power_budget_mw", r.power_budget_mw},
         {"slo_attainment", r.slo_attainment},
         {"amortization_years", r.amortization_years},
         {"workloads", std::move(workloads)},
         {"mixes_total", r.mixes.size()},
         {"mixes", std::move(mixes)}};
  j["chosen"] = r.chosen;
  return j;
}

std::string format_mix_plan(const MixPlanResult& r) {
  std::string out = fmt::format(
      "\nMix plan on {}: {:.3f} MW of facility power to provision, the least {}; a demand is met "
      "when {:.0f} % of its requests meet their objectives; servers amortised over {:.4g} years\n",
      r.cluster, r.power_budget_mw, r.objective == "cost" ? "cost an hour" : "facility power drawn",
      100 * r.slo_attainment, r.amortization_years);
  for (const auto& w : r.workloads) {
    out += fmt::format("\n{}\n", demand_text(w));
    const bool training = is_training(w);
    Table table({"option", "servers", training ? "plan" : "replicas", "provisioned kW", "avg kW",
                 "tok/s", "tok/kWh", training ? "days" : "met", "p99 TTFT ms", "p99 TPOT ms",
                 "KRW/h", "runs"});
    std::vector<std::string> notes;
    for (const auto& o : w.options) {
      if (!o.error.empty()) {
        table.add_row({o.label, "cannot"});
        notes.push_back(fmt::format("  {}: {}", o.label, o.error));
        continue;
      }
      table.add_row({o.label, servers_text(o), o.plan,
                     fmt::format("{:.1f}", o.provisioned_facility_kw),
                     fmt::format("{:.1f}", o.avg_facility_kw),
                     fmt::format("{:.0f}", o.tokens_per_s), fmt::format("{:.0f}", o.tokens_per_kwh),
                     training ? fmt::format("{:.1f}", o.days)
                              : fmt::format("{:.1f} %", 100 * o.slo_attainment),
                     training ? "-" : fmt::format("{:.0f}", o.ttft_p99_s * 1e3),
                     training ? "-" : fmt::format("{:.1f}", o.tpot_p99_s * 1e3),
                     fmt::format("{:.0f}", o.cost_krw_per_h), std::to_string(o.trials)});
    }
    out += table.str();
    for (const auto& note : notes) out += note + "\n";
    if (w.best_option >= 0) {
      const auto& best = w.options[w.best_option];
      out += fmt::format("  most tokens per facility kWh{}: {} ({:.0f})\n",
                         training ? "" : " at the objectives", best.label, best.tokens_per_kwh);
    }
  }
  if (!r.mixes.empty()) {
    std::vector<std::string> headers{"mix"};
    for (const auto& w : r.workloads) headers.push_back(w.name);
    for (const char* h : {"provisioned MW", "avg MW", "KRW/h", "in budget", "frontier"}) {
      headers.push_back(h);
    }
    Table table(headers);
    for (size_t i : shown_mixes(r)) {
      const MixChoice& m = r.mixes[i];
      std::vector<std::string> row{std::to_string(i + 1)};
      for (size_t w = 0; w < r.workloads.size(); ++w) {
        row.push_back(r.workloads[w].options[m.options[w]].label);
      }
      row.push_back(fmt::format("{:.3f}", m.provisioned_facility_mw));
      row.push_back(fmt::format("{:.3f}", m.avg_facility_mw));
      row.push_back(fmt::format("{:.0f}", m.cost_krw_per_h));
      row.push_back(m.within_budget ? "yes" : "no");
      row.push_back(m.on_frontier ? "*" : "");
      table.add_row(std::move(row));
    }
    out += fmt::format(
        "\nMixes ({} in all, by {}; * no mix within the budget draws less and "
        "costs less)\n",
        r.mixes.size(), r.objective);
    out += table.str();
  }
  if (r.chosen < 0) return out;
  const MixChoice& m = r.mixes[r.chosen];
  std::vector<std::string> parts;
  for (size_t w = 0; w < r.workloads.size(); ++w) {
    const MixOption& o = r.workloads[w].options[m.options[w]];
    parts.push_back(fmt::format("{} on {} ({})", r.workloads[w].name, servers_text(o), o.plan));
  }
  out += fmt::format(
      "\nChosen: mix {}: {}\n  provisions {:.3f} of {:.3f} MW, draws {:.3f} MW on average, costs "
      "{:.0f} KRW an hour\n",
      r.chosen + 1, fmt::join(parts, "; "), m.provisioned_facility_mw, r.power_budget_mw,
      m.avg_facility_mw, m.cost_krw_per_h);
  return out;
}

}  // namespace kcsim

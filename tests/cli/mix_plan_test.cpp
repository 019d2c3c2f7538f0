// kcsim plan --mix: the mix of a mixed cluster's pools that meets a training job and a serving
// demand within a facility power budget. The chosen mix, run again as ordinary jobs, meets the
// demand; the frontier holds no dominated mix; what cannot run says why.
#include <cmath>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
using kcsim::test::write_temp_file;
using nlohmann::json;

namespace {

// The serving demand's load block, shared by the plan and the runs that check it.
const std::string kLoad =
    "load { rate_per_s: 12 requests: 300 input_lengths: \"lognormal:600:0.5\" "
    "output_lengths: \"uniform:16:256\" router: \"least-outstanding\" slo_ttft_s: 1 "
    "slo_tpot_s: 0.08 }";

// Llama-3-8B: a 2e10-token training run in a day, and a chat stream tried on the RNGD and H100
// pools and split H100 prefill -> RNGD decode.
std::string plan_file(const std::string& name, const std::string& extra) {
  return write_temp_file(
      name,
      "name: \"mix\"\n"
      "mix_plan {\n"
      "  cluster: \"kcloud-mixed\"\n" +
          extra +
          "  training { job { model: \"llama3-8b\" global_batch: 256 run_tokens: 2e10 } "
          "days: 1 }\n"
          "  serving { name: \"chat\" job { model: \"llama3-8b\" dtype: FP8 "
          "allow_equivalent_dtype: true " +
          kLoad +
          " }\n"
          "    options { pool: \"rngd\" } options { pool: \"h100\" }\n"
          "    options { pool: \"h100\" decode_pool: \"rngd\" } }\n"
          "}\n");
}

const json& option_named(const json& workload, const std::string& label) {
  for (const auto& o : workload.at("options")) {
    if (o.at("option") == label) return o;
  }
  FAIL("no option " << label);
  static json none;
  return none;
}

// The share of a run's requests that met both objectives, from its JSON.
double attainment(const json& serving) {
  return serving.at("goodput_requests_per_s").get<double>() *
         serving.at("simulated_time_s").get<double>() /
         serving.at("requests_arrived").get<double>();
}

}  // namespace

TEST_CASE("the plan's chosen mix meets the demand when run as a load", "[cli][mix]") {
  auto r = run_kcsim("plan --mix " + plan_file("mix-plan.textproto", "  power_budget_mw: 0.5\n") +
                     " --json");
  REQUIRE(r.exit_code == 0);
  INFO(r.out);
  json plan = json::parse(r.out);
  const json& mix = plan.at("mixes").at(plan.at("chosen").get<int>());
  CHECK(mix.at("within_budget") == true);
  CHECK(mix.at("provisioned_facility_mw").get<double>() <= 0.5);

  // Training: the chosen servers finish the run's tokens within its day.
  const json& training = plan.at("workloads").at(0);
  REQUIRE(training.at("name") == "training");
  const json& trained = option_named(training, mix.at("options").at("training"));
  const json& h100 = trained.at("pools").at(0);
  auto train_on = [](int servers) {
    auto t = run_kcsim(
        "run " +
        write_temp_file(
            "mix-train-" + std::to_string(servers) + ".textproto",
            "cluster_refs { catalog: \"kcloud-mixed:h100\" nodes: " + std::to_string(servers) +
                " }\n"
                "training { model: \"llama3-8b\" global_batch: 256 auto_plan: true "
                "charge_whole_servers: true }\n") +
        " --json");
    REQUIRE(t.exit_code == 0);
    return json::parse(t.out).at("runs").at(0).at("training").at("tokens_per_s").get<double>();
  };
  const int servers = h100.at("servers").get<int>();
  const double tokens_per_s = train_on(servers);
  CHECK(2e10 / tokens_per_s / 86400 <= 1.0);
  CHECK(tokens_per_s == trained.at("tokens_per_s").get<double>());
  // One server fewer would not finish in time, or the plan would have taken it.
  if (servers > 1) CHECK(2e10 / train_on(servers - 1) / 86400 > 1.0);

  // Serving: the chosen option's replicas, run as a plain serving job of the pool, meet the
  // objectives for 90 % of requests, none rejected; with the same stream the figures are the
  // plan's own.
  const json& chat = plan.at("workloads").at(1);
  const json& served = option_named(chat, mix.at("options").at("chat"));
  const json& prefill = served.at("pools").at(0);
  std::string job =
      "serving { model: \"llama3-8b\" dtype: FP8 allow_equivalent_dtype: true "
      "charge_whole_servers: true tp: " +
      std::to_string(prefill.at("tp").get<int>()) +
      " replicas: " + std::to_string(prefill.at("replicas").get<int>()) + " ";
  std::string load = kLoad;
  std::string clusters =
      "cluster_refs { catalog: \"kcloud-mixed:" + prefill.at("pool").get<std::string>() +
      "\" nodes: " + std::to_string(prefill.at("servers").get<int>()) + " }\n";
  const bool split = served.at("pools").size() == 2;
  if (split) {
    // The decode pool is the catalog's (its servers are not resized), so the stream meets the
    // objectives again but its figures are not byte for byte the plan's.
    const json& decode = served.at("pools").at(1);
    load.insert(load.find("router"), "scheduler: \"disaggregated\" ");
    job += "decode_pool { pool: \"" + decode.at("pool").get<std::string>() +
           "\" tp: " + std::to_string(decode.at("tp").get<int>()) +
           " replicas: " + std::to_string(decode.at("replicas").get<int>()) + " } ";
  }
  auto s = run_kcsim(
      "run " + write_temp_file("mix-serve.textproto", clusters + job + load + " }\n") + " --json");
  REQUIRE(s.exit_code == 0);
  const json ran = json::parse(s.out);
  const json& run = ran.at("runs").at(0).at("serving");
  CHECK(run.at("requests_rejected") == 0);
  CHECK(attainment(run) >= 0.9);
  if (!split) {
    CHECK(std::abs(attainment(run) - served.at("slo_attainment").get<double>()) < 1e-9);
    CHECK(run.at("ttft_p99_s").get<double>() == served.at("ttft_p99_s").get<double>());
  }
}

TEST_CASE("the frontier holds no dominated mix and the objective picks the chosen one",
          "[cli][mix]") {
  for (const char* objective : {"facility-power", "cost"}) {
    INFO(objective);
    auto r =
        run_kcsim("plan --mix " + plan_file("mix-frontier.textproto", "  power_budget_mw: 0.5\n") +
                  " --objective " + objective + " --json");
    REQUIRE(r.exit_code == 0);
    json plan = json::parse(r.out);
    const json& mixes = plan.at("mixes");
    REQUIRE(mixes.size() == plan.at("mixes_total").get<size_t>());
    REQUIRE(mixes.size() >= 2);
    const std::string key = objective == std::string("cost") ? "cost_krw_per_h" : "avg_facility_mw";
    const json& chosen = mixes.at(plan.at("chosen").get<int>());
    int frontier = 0;
    for (const auto& m : mixes) {
      if (!m.at("within_budget").get<bool>()) continue;
      CHECK(chosen.at(key).get<double>() <= m.at(key).get<double>());
      bool dominated = false;
      for (const auto& other : mixes) {
        double dp =
            other.at("avg_facility_mw").get<double>() - m.at("avg_facility_mw").get<double>();
        double dc = other.at("cost_krw_per_h").get<double>() - m.at("cost_krw_per_h").get<double>();
        dominated |=
            other.at("within_budget").get<bool>() && dp <= 0 && dc <= 0 && (dp < 0 || dc < 0);
      }
      CHECK(m.at("on_frontier").get<bool>() == !dominated);
      frontier += m.at("on_frontier").get<bool>();
    }
    CHECK(frontier >= 1);
    CHECK(chosen.at("on_frontier") == true);
  }
}

TEST_CASE("a budget too small for any mix exits 3 and says what would fit", "[cli][mix]") {
  auto r = run_kcsim("plan --mix " + plan_file("mix-small.textproto", "  power_budget_mw: 0.5\n") +
                     " --power-mw 0.01");
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, ContainsSubstring("no mix meets the plan"));
}

TEST_CASE("an inference chip asked to train is a cannot row with its reason", "[cli][mix]") {
  auto path = write_temp_file(
      "mix-rngd-train.textproto",
      "mix_plan { cluster: \"kcloud-mixed\" power_budget_mw: 1\n"
      "  training { job { model: \"llama3-8b\" global_batch: 256 run_tokens: 1e9 } days: 1 "
      "pools: \"rngd\" pools: \"h100\" } }\n");
  auto r = run_kcsim("run " + path + " --json");
  REQUIRE(r.exit_code == 0);
  const json plan = json::parse(r.out);
  const json& options = plan.at("mix_plan").at("workloads").at(0).at("options");
  REQUIRE(options.size() == 2);
  CHECK(options.at(0).at("option") == "h100");
  CHECK(options.at(0).contains("error") == false);
  CHECK(options.at(1).at("option") == "rngd");
  CHECK_THAT(options.at(1).at("error").get<std::string>(), ContainsSubstring("train"));
}

TEST_CASE("mix plan input errors name the file, the field and what is allowed", "[cli][mix]") {
  auto unknown =
      run_kcsim("run " + write_temp_file("mix-bad-pool.textproto",
                                         "mix_plan { cluster: \"kcloud-mixed\" power_budget_mw: 1\n"
                                         "  serving { job { model: \"llama3-8b\" " +
                                             kLoad + " }\n    options { pool: \"tpu\" } } }\n"));
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, ContainsSubstring("mix-bad-pool.textproto:3"));
  CHECK_THAT(unknown.err, ContainsSubstring("h100, rngd, atom"));

  auto no_slo = run_kcsim(
      "run " + write_temp_file("mix-no-slo.textproto",
                               "mix_plan { cluster: \"kcloud-mixed\" power_budget_mw: 1\n"
                               "  serving { job { model: \"llama3-8b\" load { rate_per_s: 1 "
                               "requests: 10 } } } }\n"));
  CHECK(no_slo.exit_code == 2);
  CHECK_THAT(no_slo.err, ContainsSubstring("slo_ttft_s"));

  auto one_kind = run_kcsim("run " + write_temp_file("mix-one-kind.textproto",
                                                     "mix_plan { cluster: \"dgx-h100\" "
                                                     "power_budget_mw: 1\n"
                                                     "  serving { job { model: \"llama3-8b\" " +
                                                         kLoad + " } } }\n"));
  CHECK(one_kind.exit_code == 2);
  CHECK_THAT(one_kind.err, ContainsSubstring("one kind of server"));

  auto beside = run_kcsim("run " + write_temp_file("mix-beside.textproto",
                                                   "cluster_names: \"dgx-h100\"\n"
                                                   "mix_plan { cluster: \"kcloud-mixed\" "
                                                   "power_budget_mw: 1 }\n"));
  CHECK(beside.exit_code == 2);
  CHECK_THAT(beside.err, ContainsSubstring("cluster_names"));

  // Planning by cost needs every pool's price.
  auto unpriced = write_temp_file("unpriced-mixed.textproto",
                                  "name: \"unpriced\"\n"
                                  "pools { name: \"h100\" servers: \"dgx-h100\" nodes: 2 }\n"
                                  "pools { name: \"rngd\" servers: \"rngd-server\" nodes: 2 }\n"
                                  "scale_out { kind: \"fat-tree\" }\n");
  auto cost = run_kcsim("plan --mix " + plan_file("mix-cost.textproto", "  power_budget_mw: 1\n") +
                        " --cluster " + unpriced + " --objective cost");
  CHECK(cost.exit_code == 2);
  CHECK_THAT(cost.err, ContainsSubstring("server_price_krw"));
}

TEST_CASE("a sweep of mix plans gives a row per point with the chosen mix", "[cli][mix][sweep]") {
  auto sweep = write_temp_file(
      "mix-sweep.textproto",
      "name: \"budgets\"\n"
      "base { mix_plan { cluster: \"kcloud-mixed\" power_budget_mw: 1\n"
      "  serving { name: \"chat\" job { model: \"llama3-8b\" dtype: FP8 "
      "allow_equivalent_dtype: true " +
          kLoad +
          " }\n"
          "    options { pool: \"rngd\" } options { pool: \"h100\" } } } }\n"
          "axes { field: \"mix_plan.power_budget_mw\" values: \"1\" values: \"0.001\" }\n");
  auto csv = write_temp_file("mix-sweep.csv", "");
  auto r = run_kcsim("sweep " + sweep + " --out " + csv + ".h5 --csv " + csv + " --quiet");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, ContainsSubstring("2 points, 2 rows: 1 ok, 1 infeasible"));

  // The plan alone, as kcsim run gives it: the sweep's row holds its chosen mix.
  auto alone = run_kcsim(
      "run " +
      write_temp_file("mix-sweep-point.textproto",
                      "mix_plan { cluster: \"kcloud-mixed\" power_budget_mw: 1\n"
                      "  serving { name: \"chat\" job { model: \"llama3-8b\" dtype: FP8 "
                      "allow_equivalent_dtype: true " +
                          kLoad +
                          " }\n"
                          "    options { pool: \"rngd\" } options { pool: \"h100\" } } }\n") +
      " --json");
  REQUIRE(alone.exit_code == 0);
  json mix = json::parse(alone.out).at("mix_plan");
  const json& chosen = mix.at("mixes").at(mix.at("chosen").get<int>());
  auto table = run_kcsim("best " + csv + ".h5 --minimize mix_plan.avg_facility_mw --json");
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out,
             ContainsSubstring("\"mix_plan.chat.option\": \"" +
                               chosen.at("options").at("chat").get<std::string>() + "\""));
}

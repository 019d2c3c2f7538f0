// A whole training run (run_tokens) and a scenario's published claims: the run is the iteration
// repeated, energy conserved; claims read the run's own output keys and refuse what is not one.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Approx;
using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
using kcsim::test::write_temp_file;

namespace {

const std::string kTrain =
    "train --model llama2-7b --chip a100-80g --devices 16 --tp 8 --global-batch 64 --json ";

// A scenario training llama3-8b on two clusters, with `claims` appended.
std::string claims_scenario(const std::string& name, const std::string& claims) {
  return write_temp_file(
      name,
      "name: \"c\"\ncluster_names: \"dgx-h100\"\ncluster_names: \"rngd-server\"\n"
      "training {\n  model: \"llama3-8b\"\n  global_batch: 64\n"
      "  allow_equivalent_dtype: true\n  auto_plan: true\n  run_tokens: 1e9\n}\n" +
          claims);
}

}  // namespace

TEST_CASE("a whole training run is its iteration repeated over the run's tokens", "[cli][energy]") {
  auto one = run_kcsim(kTrain);
  auto run = run_kcsim(kTrain + "--run-tokens 2.62144e9");  // 20,000 iterations of 64 x 2,048
  REQUIRE(one.exit_code == 0);
  REQUIRE(run.exit_code == 0);
  auto i = nlohmann::json::parse(one.out);
  auto r = nlohmann::json::parse(run.out);
  CHECK_FALSE(i.contains("training_run"));
  const auto& t = r.at("training_run");
  const double iterations = 2.62144e9 / (64.0 * 2048);
  CHECK(t.at("tokens").get<double>() == 2.62144e9);
  CHECK(t.at("iterations").get<double>() == Approx(iterations));
  CHECK(t.at("time_days").get<double>() ==
        Approx(iterations * i.at("iteration_time_s").get<double>() / 86400));
  // Joules conserved: the run's MWh are the iteration's joules, counted that many times.
  const auto& e = i.at("energy_breakdown_j");
  CHECK(t.at("it_energy_mwh").get<double>() ==
        Approx(iterations * e.at("it_j").get<double>() / 3.6e9));
  CHECK(t.at("facility_energy_mwh").get<double>() ==
        Approx(iterations * e.at("facility_j").get<double>() / 3.6e9));
  CHECK(t.at("co2_t").get<double>() == Approx(iterations * i.at("co2_kg").get<double>() / 1e3));
  // The run's figures leave the iteration's alone.
  CHECK(r.at("iteration_time_s") == i.at("iteration_time_s"));
  CHECK(r.at("energy_j") == i.at("energy_j"));
}

TEST_CASE("a whole run of no tokens exits 2 naming --run-tokens", "[cli][errors]") {
  auto r = run_kcsim(kTrain + "--run-tokens 0");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("--run-tokens"));
}

TEST_CASE("a request stream's energy per request is the run's joules over its requests",
          "[cli][energy]") {
  auto r = run_kcsim(
      "serve --model llama2-7b --chip a100-80g --tp 1 --replicas 2 --rate 2 --requests 200 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  const double completed = j.at("requests_completed").get<double>();
  REQUIRE(completed > 0);
  const auto& e = j.at("energy_breakdown_j");
  // Joules conserved: the per-request figures add back to the run's, idle time included.
  CHECK(j.at("it_energy_per_request_wh").get<double>() * completed * 3600 ==
        Approx(e.at("it_j").get<double>()));
  CHECK(j.at("facility_energy_per_request_wh").get<double>() * completed * 3600 ==
        Approx(e.at("facility_j").get<double>()));
  CHECK(j.at("facility_energy_per_request_wh").get<double>() >
        j.at("it_energy_per_request_wh").get<double>());
}

TEST_CASE("a fleet is its copies times one copy's run over a day and a year", "[cli][energy]") {
  const std::string serve =
      "serve --model llama2-7b --chip a100-80g --tp 1 --replicas 2 --rate 2 --requests 200 "
      "--json ";
  auto one = run_kcsim(serve);
  auto fleet = run_kcsim(serve + "--fleet-copies 1000");
  REQUIRE(one.exit_code == 0);
  REQUIRE(fleet.exit_code == 0);
  auto o = nlohmann::json::parse(one.out);
  auto f = nlohmann::json::parse(fleet.out);
  CHECK_FALSE(o.contains("fleet"));
  const auto& totals = f.at("fleet");
  // The copy's own figures are untouched by the fleet around it.
  CHECK(f.at("energy_j") == o.at("energy_j"));
  const double t = o.at("simulated_time_s").get<double>();
  const double it_j = o.at("energy_breakdown_j").at("it_j").get<double>();
  const double facility_j = o.at("energy_j").get<double>();
  CHECK(totals.at("copies") == 1000);
  CHECK(totals.at("devices").get<double>() == 2000);
  CHECK(totals.at("servers").get<double>() == Approx(1000 * o.at("servers_charged").get<double>()));
  CHECK(totals.at("requests_per_s").get<double>() ==
        Approx(1000 * o.at("requests_arrived").get<double>() / t));
  CHECK(totals.at("avg_it_power_mw").get<double>() == Approx(1000 * it_j / t / 1e6));
  // A day of the copy's average power, 1,000 times; a year is 365 of those days.
  CHECK(totals.at("it_energy_per_day_mwh").get<double>() ==
        Approx(1000 * it_j / t * 86400 / 3.6e9));
  CHECK(totals.at("facility_energy_per_day_mwh").get<double>() ==
        Approx(1000 * facility_j / t * 86400 / 3.6e9));
  CHECK(totals.at("facility_energy_per_year_twh").get<double>() ==
        Approx(totals.at("facility_energy_per_day_mwh").get<double>() * 365 / 1e6));
  CHECK(totals.at("co2_per_year_t").get<double>() ==
        Approx(1000 * o.at("co2_kg").get<double>() / t * 86400 * 365 / 1e3));

  auto zero = run_kcsim(serve + "--fleet-copies 0");
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, ContainsSubstring("--fleet-copies"));
}

TEST_CASE("a claim prints beside the figure its run produced", "[cli][claims]") {
  auto path =
      claims_scenario("claims-ok.textproto",
                      "claims {\n  statement: \"the run takes 2 days\"\n  cluster: \"dgx-h100\"\n"
                      "  metric: \"training.training_run.time_days\"\n  value: 2\n"
                      "  source { kind: \"paper\" citation: \"a paper, Table 1\" }\n"
                      "  assumptions: \"the same plan\"\n}\n"
                      "claims {\n  statement: \"the NPU trains it\"\n  cluster: \"rngd-server\"\n"
                      "  metric: \"training.training_run.time_days\"\n  value: 3\n"
                      "  source { kind: \"press\" citation: \"a press release\" }\n}\n");
  auto json = run_kcsim("run " + path + " --json");
  REQUIRE(json.exit_code == 0);
  auto j = nlohmann::json::parse(json.out);
  REQUIRE(j.at("claims").size() == 2);
  const auto& ok = j.at("claims")[0];
  const double days = j.at("runs")[0].at("training").at("training_run").at("time_days");
  CHECK(ok.at("simulated").get<double>() == days);
  CHECK(ok.at("simulated_over_published").get<double>() == Approx(days / 2));
  CHECK(ok.at("source") == "a paper, Table 1");
  const auto& cannot = j.at("claims")[1];
  CHECK_FALSE(cannot.contains("simulated"));
  CHECK_THAT(cannot.at("error").get<std::string>(),
             ContainsSubstring("chip rngd is an inference chip"));
  auto text = run_kcsim("run " + path);
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, ContainsSubstring("Published claims beside kcsim"));
  CHECK_THAT(text.out, ContainsSubstring("[1] the run takes 2 days"));
  CHECK_THAT(text.out, ContainsSubstring("    assumptions: the same plan"));
  CHECK_THAT(text.out, ContainsSubstring("    cannot run: chip rngd is an inference chip"));
}

TEST_CASE("a claim that names no run or no output key exits 2 at the claim", "[cli][claims]") {
  const std::string source = "  source { kind: \"paper\" citation: \"x\" }\n}\n";
  auto unknown_cluster = claims_scenario("claims-cluster.textproto",
                                         "claims {\n  statement: \"s\"\n  cluster: \"dgx-z\"\n"
                                         "  metric: \"training.mfu\"\n  value: 1\n" +
                                             source);
  auto r = run_kcsim("run " + unknown_cluster);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("claims-cluster.textproto:13:"));
  CHECK_THAT(r.err, ContainsSubstring("\"dgx-z\" is not a cluster this scenario runs"));
  CHECK(r.out.empty());

  auto bad_metric = claims_scenario(
      "claims-metric.textproto",
      "claims {\n  statement: \"s\"\n  metric: \"training.mfu_percent\"\n  value: 1\n" + source);
  r = run_kcsim("run " + bad_metric);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("claims-metric.textproto:13:"));
  CHECK_THAT(r.err, ContainsSubstring("\"training.mfu_percent\" is not a numeric key"));

  auto no_source =
      claims_scenario("claims-source.textproto",
                      "claims {\n  statement: \"s\"\n  metric: \"training.mfu\"\n  value: 1\n}\n");
  r = run_kcsim("run " + no_source);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("claims[0].source"));
}

TEST_CASE("the seed scenarios land within 2x of the published figures", "[cli][claims]") {
  // Wide on purpose: the runs' plans, restarts and networks are not published (each claim's
  // assumptions say so); the figures themselves are in bench/RESULTS.md.
  for (const char* scenario :
       {"seed000-gpt3-175b-v100-energy", "seed000-opt-175b-a100-energy", "seed004-llm-query-energy",
        "seed002-gpt4-class-training", "seed000-search-fleet"}) {
    INFO(scenario);
    auto r = run_kcsim(std::string("run " KCSIM_SOURCE_DIR "/configs/scenarios/") + scenario +
                       ".textproto --json");
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE_FALSE(j.at("claims").empty());
    for (const auto& claim : j.at("claims")) {
      INFO(claim.at("statement"));
      double ratio = claim.at("simulated_over_published");
      CHECK(ratio > 0.5);
      CHECK(ratio < 2.0);
    }
  }
}

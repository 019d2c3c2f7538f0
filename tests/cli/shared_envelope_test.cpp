// A training job and a serving load side by side under one power budget: the governor's policy
// decides who is throttled, and the report shows what each lost against its run alone.
#include <string>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "sim/jobs/shared_envelope.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Approx;
using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
using kcsim::test::write_temp_file;

namespace {

// Llama-3-8B training on one DGX H100 of the mixed cluster beside a Llama-3-8B load on one RNGD
// server of it, under `envelope`.
std::string envelope_scenario(const std::string& name, const std::string& envelope) {
  return write_temp_file(
      name,
      "name: \"env\"\n"
      "cluster_refs { catalog: \"kcloud-mixed:h100\" nodes: 1 }\n"
      "cluster_refs { catalog: \"kcloud-mixed:rngd\" nodes: 1 }\n"
      "training { model: \"llama3-8b\" global_batch: 64 allow_equivalent_dtype: true "
      "auto_plan: true }\n"
      "serving { model: \"llama3-8b\" tp: 1 allow_equivalent_dtype: true\n"
      "  load { rate_per_s: 20 requests: 300 slo_ttft_s: 1 slo_tpot_s: 0.1 } }\n"
      "shared_envelope { training_cluster: \"kcloud-mixed:h100\" "
      "serving_cluster: \"kcloud-mixed:rngd\" " +
          envelope + " }\n");
}

nlohmann::json envelope_of(const std::string& policy, double budget_w) {
  auto path = envelope_scenario(
      "envelope-" + policy + ".textproto",
      "policy: \"" + policy + "\" device_power_budget_w: " + std::to_string(budget_w));
  auto r = run_kcsim("run " + path + " --json");
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out).at("shared_envelope");
}

}  // namespace

TEST_CASE("envelope shares: each policy's order and no share above its demand", "[envelope]") {
  using kcsim::envelope_shares;
  auto serving_first = envelope_shares("serving-first", 5000, 5600, 1100);
  CHECK(serving_first.serving_w == 1100);
  CHECK(serving_first.training_w == 3900);
  auto training_first = envelope_shares("training-first", 5000, 5600, 1100);
  CHECK(training_first.training_w == 5000);
  CHECK(training_first.serving_w == 0);
  auto proportional = envelope_shares("proportional", 5000, 6000, 2000);
  CHECK(proportional.training_w == Approx(3750));
  CHECK(proportional.serving_w == Approx(1250));
  // Room for both: each gets its demand, whatever the policy.
  for (const char* policy : {"serving-first", "training-first", "proportional"}) {
    auto roomy = envelope_shares(policy, 1e6, 5600, 1100);
    CHECK(roomy.training_w == 5600);
    CHECK(roomy.serving_w == 1100);
  }
}

TEST_CASE("serving first: serving is never throttled and training takes the rest",
          "[cli][envelope]") {
  auto e = envelope_of("serving-first", 5000);
  const auto& train = e.at("training");
  const auto& serve = e.at("serving");
  CHECK(serve.at("throttled") == false);
  CHECK(serve.at("share_w") == serve.at("demand_w"));
  CHECK(serve.at("shared_tokens_per_s") == serve.at("alone_tokens_per_s"));
  CHECK(serve.at("cap_throttled_iterations") == 0);
  CHECK(train.at("throttled") == true);
  CHECK(train.at("share_w").get<double>() + serve.at("share_w").get<double>() == Approx(5000));
  CHECK(train.at("device_power_limit_w").get<double>() < 700);
  CHECK(train.at("shared_tokens_per_s").get<double>() <
        train.at("alone_tokens_per_s").get<double>());
  CHECK(train.at("lost_fraction").get<double>() > 0);
}

TEST_CASE("training first: training keeps its pace and serving's governor holds the rest",
          "[cli][envelope]") {
  auto e = envelope_of("training-first", 6200);
  const auto& train = e.at("training");
  const auto& serve = e.at("serving");
  CHECK(train.at("throttled") == false);
  CHECK(train.at("shared_tokens_per_s") == train.at("alone_tokens_per_s"));
  CHECK(serve.at("throttled") == true);
  CHECK(serve.at("share_w").get<double>() == Approx(6200 - train.at("demand_w").get<double>()));
  CHECK(serve.at("cluster_power_cap_w") == serve.at("share_w"));
  CHECK(serve.at("cap_throttled_iterations").get<long long>() > 0);
  CHECK(serve.at("shared_ttft_p99_s").get<double>() > serve.at("alone_ttft_p99_s").get<double>());

  // Nothing left for serving: it says so instead of running uncapped.
  auto starved = envelope_of("training-first", 5000);
  CHECK_THAT(starved.at("serving").at("error").get<std::string>(), ContainsSubstring("no power"));
}

TEST_CASE("proportional: both throttled in proportion to their demands", "[cli][envelope]") {
  auto e = envelope_of("proportional", 5000);
  const auto& train = e.at("training");
  const auto& serve = e.at("serving");
  double demand = train.at("demand_w").get<double>() + serve.at("demand_w").get<double>();
  CHECK(train.at("share_w").get<double>() ==
        Approx(5000 * train.at("demand_w").get<double>() / demand));
  CHECK(serve.at("share_w").get<double>() ==
        Approx(5000 * serve.at("demand_w").get<double>() / demand));
  CHECK(train.at("throttled") == true);
  CHECK(serve.at("throttled") == true);
}

TEST_CASE(
    "a facility budget: the shares draw that much from the grid, servers and cooling "
    "included",
    "[cli][envelope]") {
  auto path = envelope_scenario("envelope-facility.textproto",
                                "policy: \"proportional\" facility_power_budget_w: 12000");
  auto r = run_kcsim("run " + path + " --json");
  REQUIRE(r.exit_code == 0);
  const auto e = nlohmann::json::parse(r.out).at("shared_envelope");
  const auto& train = e.at("training");
  const auto& serve = e.at("serving");
  CHECK(e.at("facility_power_budget_w") == 12000);
  // Servers, network and cooling take their part: less than the budget is left for devices.
  const double devices_w = e.at("device_power_budget_w").get<double>();
  CHECK(devices_w < 12000);
  CHECK(train.at("share_w").get<double>() + serve.at("share_w").get<double>() == Approx(devices_w));
  CHECK(train.at("facility_w").get<double>() + serve.at("facility_w").get<double>() ==
        Approx(12000).epsilon(1e-6));
  CHECK(train.at("throttled") == true);
  CHECK(serve.at("throttled") == true);
  // The device budget gives the same shares when written as one.
  auto as_devices = envelope_of("proportional", devices_w);
  CHECK(as_devices.at("training").at("share_w").get<double>() ==
        Approx(train.at("share_w").get<double>()));

  auto both = run_kcsim("run " +
                        envelope_scenario("envelope-both.textproto",
                                          "device_power_budget_w: 5000 "
                                          "facility_power_budget_w: 12000") +
                        " --json");
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, ContainsSubstring("give one budget"));
}

TEST_CASE("a shared envelope that names what the scenario lacks exits 2 at its field",
          "[cli][envelope]") {
  auto unknown = run_kcsim("run " +
                           envelope_scenario("envelope-unknown.textproto",
                                             "policy: \"fair\" device_power_budget_w: 5000") +
                           " --json");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, ContainsSubstring("envelope-unknown.textproto:7:"));
  CHECK_THAT(unknown.err, ContainsSubstring("unknown policy \"fair\""));
  auto path = write_temp_file(
      "envelope-same.textproto",
      "name: \"env\"\ncluster_refs { catalog: \"kcloud-mixed:h100\" nodes: 1 }\n"
      "cluster_refs { catalog: \"kcloud-mixed:rngd\" nodes: 1 }\n"
      "training { model: \"llama3-8b\" global_batch: 64 auto_plan: true }\n"
      "serving { model: \"llama3-8b\" tp: 1 load { rate_per_s: 20 requests: 10 } }\n"
      "shared_envelope { training_cluster: \"kcloud-mixed:h100\" serving_cluster: "
      "\"kcloud-mixed:tpu\" device_power_budget_w: 5000 }\n");
  auto missing = run_kcsim("run " + path + " --json");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err,
             ContainsSubstring("\"kcloud-mixed:tpu\" is not a cluster of this scenario"));
}

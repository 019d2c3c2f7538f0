// The power and energy contract of the command line: energy keys, `kcsim plan`, the K-Cloud
// scenarios.
#include <map>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;
using kcsim::test::run_kcsim;

namespace {

void check_energy_keys(const nlohmann::json& j, const char* per_token_key) {
  for (const char* key : {"energy_j", per_token_key, "avg_it_power_w", "avg_facility_power_w",
                          "tokens_per_kwh", "co2_kg", "cost_krw"}) {
    INFO(key);
    REQUIRE(j.contains(key));
    CHECK(j[key].get<double>() > 0);
  }
  // Facility power is IT power times the PUE.
  CHECK_THAT(j["avg_facility_power_w"].get<double>(),
             WithinRel(j["avg_it_power_w"].get<double>() * j["pue"].get<double>(), 1e-9));
  CHECK_THAT(j["co2_kg"].get<double>(),
             WithinRel(j["energy_j"].get<double>() / 3.6e6 * 0.4173, 1e-9));
}

}  // namespace

TEST_CASE("train and serve --json carry energy, carbon and cost", "[cli][energy]") {
  auto train = run_kcsim(
      "train --model megatron-22b --chip a100-80g --devices 8 --tp 8 --global-batch 4 --json");
  REQUIRE(train.exit_code == 0);
  check_energy_keys(nlohmann::json::parse(train.out), "energy_per_token_j");
  auto serve = run_kcsim("serve --model llama2-70b --chip h100-sxm --tp 8 --batch-size 4 --json");
  REQUIRE(serve.exit_code == 0);
  check_energy_keys(nlohmann::json::parse(serve.out), "energy_per_output_token_j");
}

TEST_CASE("serve --power-cap-w slows prefill more than decode", "[cli][energy]") {
  auto free_run = nlohmann::json::parse(
      run_kcsim("serve --model llama2-70b --chip h100-sxm --tp 8 --batch-size 8 --json").out);
  auto r = run_kcsim(
      "serve --model llama2-70b --chip h100-sxm --tp 8 --batch-size 8 --power-cap-w 350 --json");
  REQUIRE(r.exit_code == 0);
  auto capped = nlohmann::json::parse(r.out);
  CHECK(capped["device_power_cap_w"] == 350.0);
  double prefill = capped["ttft_s"].get<double>() / free_run["ttft_s"].get<double>();
  double decode = capped["tpot_s"].get<double>() / free_run["tpot_s"].get<double>();
  CHECK(prefill > 1.1);
  CHECK(decode < prefill);
}

TEST_CASE("plan fills a power budget and names what binds", "[cli][plan]") {
  auto r = run_kcsim("plan --power-mw 1 --chip h100-sxm --model llama2-70b --batch-size 16 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  int servers = j["servers"].get<int>();
  double per_server_kw = j["server_facility_kw"].get<double>();
  // Whole servers: one more would exceed the budget.
  CHECK(servers * per_server_kw <= 1000.0);
  CHECK((servers + 1) * per_server_kw > 1000.0);
  CHECK(j["devices"] == servers * 8);
  CHECK(j["binding_constraint"] == "power");
  CHECK(j["racks"].get<int>() * j["servers_per_rack"].get<int>() >= servers);
  CHECK(j["output_tokens_per_s"].get<double>() > 0);
  CHECK(j["tokens_per_j"].get<double>() > 0);
  CHECK(j["avg_facility_power_mw"].get<double>() <= j["peak_facility_mw"].get<double>());

  SECTION("a rack limit binds before the power does") {
    auto racks = nlohmann::json::parse(
        run_kcsim("plan --power-mw 1 --chip h100-sxm --model llama2-70b --racks 2 --json").out);
    CHECK(racks["binding_constraint"] == "rack density");
    CHECK(racks["servers"].get<int>() <= 2 * racks["servers_per_rack"].get<int>());
  }
  SECTION("liquid cooling fits more servers in the same budget") {
    auto liquid = nlohmann::json::parse(
        run_kcsim("plan --power-mw 1 --chip h100-sxm --model llama2-70b --cooling liquid --json")
            .out);
    auto air = nlohmann::json::parse(
        run_kcsim("plan --power-mw 1 --chip h100-sxm --model llama2-70b --cooling air --json").out);
    CHECK(liquid["servers"].get<int>() > air["servers"].get<int>());
    CHECK(liquid["pue"].get<double>() < air["pue"].get<double>());
  }
  SECTION("training too") {
    auto t = run_kcsim(
        "plan --power-mw 0.5 --chip a100-80g --model megatron-1.7b --workload training "
        "--global-batch 512 --json");
    REQUIRE(t.exit_code == 0);
    auto tj = nlohmann::json::parse(t.out);
    CHECK(tj["tokens_per_s"].get<double>() > 0);
    CHECK(tj["devices_used"].get<int>() <= tj["devices"].get<int>());
  }
}

TEST_CASE("plan says why nothing fits", "[cli][plan]") {
  auto tiny = run_kcsim("plan --power-mw 0.005 --chip h100-sxm --model llama2-70b");
  CHECK(tiny.exit_code == 3);
  CHECK_THAT(tiny.err, ContainsSubstring("budget"));
  auto bad = run_kcsim("plan --power-mw -1 --chip h100-sxm --model llama2-70b");
  CHECK(bad.exit_code == 2);
}

TEST_CASE("the K-Cloud scenarios print the power comparison", "[cli][scenario]") {
  for (const char* name : {"kcloud-phase1", "kcloud-pim"}) {
    INFO(name);
    auto r = run_kcsim(std::string("run ") + KCSIM_SOURCE_DIR + "/configs/scenarios/" + name +
                       ".textproto");
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, ContainsSubstring("Power and energy"));
    CHECK_THAT(r.out, ContainsSubstring("MWh/year"));
  }
  auto j = nlohmann::json::parse(run_kcsim(std::string("run ") + KCSIM_SOURCE_DIR +
                                           "/configs/scenarios/kcloud-pim.textproto --json")
                                     .out);
  // PIM takes the decode GEMVs: faster decode, fewer joules per token than the same NPU without.
  std::map<std::string, nlohmann::json> runs;
  for (const auto& run : j["runs"]) runs[run["cluster"].get<std::string>()] = run["serving"];
  for (auto [plain, pim] : {std::pair{"phase1-rngd", "phase2-rngd-hbm-pim"},
                            std::pair{"phase1-atom", "phase3-atom-gddr6-aim"}}) {
    INFO(pim);
    CHECK(runs[pim]["tpot_s"].get<double>() < runs[plain]["tpot_s"].get<double>());
    CHECK(runs[pim]["energy_per_output_token_j"].get<double>() <
          runs[plain]["energy_per_output_token_j"].get<double>());
  }
}

TEST_CASE("a facility configured like seed 000 prints its split and the PUE it implies",
          "[cli][facility]") {
  std::string scenario =
      std::string(KCSIM_SOURCE_DIR) + "/configs/scenarios/seed000-facility.textproto";
  auto r = run_kcsim("run " + scenario);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, ContainsSubstring("facility split        compute 40.0 %, cooling 39.0 %, "
                                      "power conditioning 10.0 %, network 5.0 %, storage 5.0 "
                                      "%, lighting 1.0 % (PUE 2.00)"));
  auto j = nlohmann::json::parse(run_kcsim("run " + scenario + " --json").out);
  const auto& serving = j["runs"][0]["serving"];
  CHECK_THAT(serving["pue"].get<double>(), WithinRel(2.0, 1e-9));
  const auto& e = serving["energy_breakdown_j"];
  double compute = e["device_j"].get<double>() + e["memory_j"].get<double>() +
                   e["link_j"].get<double>() + e["server_j"].get<double>();
  CHECK_THAT(compute / e["facility_j"].get<double>(), WithinRel(0.40, 1e-9));
  CHECK_THAT(e["cooling_j"].get<double>() / e["facility_j"].get<double>(), WithinRel(0.39, 1e-9));
  // The same cluster from the command line prints the split too.
  auto serve = run_kcsim("serve --model llama3-8b --cluster seed000-dgx-h100 --tp 1 --replicas 8");
  REQUIRE(serve.exit_code == 0);
  CHECK_THAT(serve.out, ContainsSubstring("facility split        compute 40.0 %, cooling 39.0 %"));
  CHECK_THAT(serve.out, ContainsSubstring("(PUE 2.00)"));
  // The chip's own catalog server keeps the default facility.
  auto plain =
      nlohmann::json::parse(run_kcsim("serve --model llama3-8b --chip h100-sxm --tp 1 --json").out);
  CHECK(plain["cluster"] == "dgx-h100");
  CHECK_THAT(plain["pue"].get<double>(), WithinRel(1.58, 1e-9));
}

TEST_CASE("serve --cluster-power-cap-w keeps the serving cluster under its cap", "[cli][power]") {
  std::string base =
      "serve --model llama3-8b --chip h100-sxm --tp 1 --replicas 8 --rate 200 --requests 150 "
      "--input-lengths uniform:256:4096 --output-lengths uniform:16:128 --json";
  auto free_run = nlohmann::json::parse(run_kcsim(base).out);
  double peak = free_run["cluster_power_peak_w"].get<double>();
  CHECK(free_run["cluster_power_cap_w"] == 0.0);
  CHECK(free_run["cap_throttled_iterations"] == 0);
  auto r = run_kcsim(base + " --log-iterations --cluster-power-cap-w " +
                     std::to_string(static_cast<int>(0.8 * peak)));
  REQUIRE(r.exit_code == 0);
  auto capped = nlohmann::json::parse(r.out);
  double cap = capped["cluster_power_cap_w"].get<double>();
  CHECK(cap == static_cast<int>(0.8 * peak));
  CHECK(capped["cluster_power_peak_w"].get<double>() <= cap);
  CHECK(capped["cap_throttled_iterations"].get<long long>() > 0);
  REQUIRE(capped.contains("power_samples"));
  for (const auto& s : capped["power_samples"]) {
    REQUIRE(s["cluster_device_power_w"].get<double>() <= cap);
  }
  auto floor = run_kcsim(base + " --cluster-power-cap-w 500");
  CHECK(floor.exit_code == 3);
  CHECK_THAT(floor.err, ContainsSubstring("held idle"));
  auto negative = run_kcsim(base + " --cluster-power-cap-w -1");
  CHECK(negative.exit_code == 2);
  auto no_stream =
      run_kcsim("serve --model llama3-8b --chip h100-sxm --tp 1 --cluster-power-cap-w 3000");
  CHECK(no_stream.exit_code == 2);
}

TEST_CASE("serve --devices 1 is one device: the job pays for it and an eighth of its server",
          "[cli][energy]") {
  auto one = run_kcsim("serve --model llama3-8b --chip h100-sxm --devices 1 --json");
  REQUIRE(one.exit_code == 0);
  auto j = nlohmann::json::parse(one.out);
  CHECK(j["devices"] == 1);
  CHECK(j["replicas"] == 1);
  CHECK_THAT(j["servers_charged"].get<double>(), WithinRel(0.125, 1e-12));
  CHECK(j["charge_whole_servers"] == false);
  auto whole =
      run_kcsim("serve --model llama3-8b --chip h100-sxm --devices 1 --whole-servers --json");
  REQUIRE(whole.exit_code == 0);
  auto w = nlohmann::json::parse(whole.out);
  CHECK(w["servers_charged"] == 1.0);
  CHECK(w["avg_it_power_w"].get<double>() > 2 * j["avg_it_power_w"].get<double>());
  // --devices fills with replicas; a replica that does not fit in it is an error.
  auto filled = run_kcsim("serve --model llama3-8b --chip h100-sxm --devices 4 --json");
  REQUIRE(filled.exit_code == 0);
  CHECK(nlohmann::json::parse(filled.out)["replicas"] == 4);
  auto too_few = run_kcsim("serve --model llama2-70b --chip h100-sxm --tp 8 --devices 4");
  CHECK(too_few.exit_code == 2);
  CHECK_THAT(too_few.err, ContainsSubstring("--devices"));
  auto overflow = run_kcsim("serve --model llama3-8b --chip h100-sxm --devices 2 --replicas 3");
  CHECK(overflow.exit_code == 2);
}

TEST_CASE("the power flags set the devices' limit and clock (--tdp-w, --power-cap-w, --clock-mhz)",
          "[cli][power]") {
  const std::string serve =
      "serve --model llama2-70b --chip h100-sxm --tp 8 --prompt-tokens 2048 --json";
  auto free_run = nlohmann::json::parse(run_kcsim(serve).out);
  CHECK(free_run["power_limit_w"] == 700);
  auto lower_tdp = run_kcsim(serve + " --tdp-w 400");
  REQUIRE(lower_tdp.exit_code == 0);
  auto t = nlohmann::json::parse(lower_tdp.out);
  CHECK(t["power_limit_w"] == 400);
  CHECK(t["ttft_s"].get<double>() > free_run["ttft_s"].get<double>());
  CHECK(t["prefill_device_power_w"].get<double>() <= 400 * (1 + 1e-9));
  auto locked = nlohmann::json::parse(run_kcsim(serve + " --clock-mhz 1000").out);
  CHECK(locked["prefill_dvfs_speed"].get<double>() <= 1000.0 / 1830 + 1e-9);
  CHECK(locked["ttft_s"].get<double>() > free_run["ttft_s"].get<double>());

  const std::string train =
      "train --model megatron-22b --chip a100-80g --devices 8 --tp 8 --global-batch 4 --json";
  auto uncapped = nlohmann::json::parse(run_kcsim(train).out);
  auto capped_run = run_kcsim(train + " --power-cap-w 250");
  REQUIRE(capped_run.exit_code == 0);
  auto capped = nlohmann::json::parse(capped_run.out);
  CHECK(capped["power_limit_w"] == 250);
  CHECK(capped["device_power_cap_w"] == 250);
  CHECK(capped["compute_clock_speed"].get<double>() < 1);
  CHECK(capped["iteration_time_s"].get<double>() > uncapped["iteration_time_s"].get<double>());
  CHECK(capped["avg_device_power_w"].get<double>() <= 250 * (1 + 1e-9));

  for (const char* bad : {" --tdp-w 0", " --tdp-w nan", " --power-cap-w -5", " --clock-mhz 1e9"}) {
    INFO(bad);
    auto r = run_kcsim(train + bad);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
  }
}

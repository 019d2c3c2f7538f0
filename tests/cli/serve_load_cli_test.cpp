// `kcsim serve --rate | --trace`: the JSON keys, the per-request CSV, same bytes for the same
// seed, and bad input named.
#include <fmt/format.h>
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;

namespace {

const std::string kServe =
    "serve --model llama2-7b --chip a100-80g --tp 1 --replicas 2 --rate 10 --requests 200 "
    "--input-lengths lognormal:400:0.8 --output-lengths uniform:8:128 --slo-ttft-s 0.2 "
    "--slo-tpot-s 0.05 --check-kv --json";

}  // namespace

TEST_CASE("kcsim serve --rate prints the load keys and writes one CSV row per request",
          "[serving][cli]") {
  kcsim::test::ScratchFolder folder;
  auto csv = folder.path() / "requests.csv";
  auto r =
      run_kcsim(kServe + " --router jsq-tokens --scheduler chunked --requests-out " + csv.string());
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  for (const char* key :
       {"requests_arrived", "requests_completed", "requests_rejected", "ttft_p50_s", "ttft_p90_s",
        "ttft_p99_s", "tpot_p50_s", "tpot_p99_s", "e2e_p50_s", "e2e_p99_s",
        "throughput_output_tokens_per_s", "goodput_requests_per_s", "kv_utilization_mean",
        "batch_size_mean", "preemptions", "replica_use"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["requests_arrived"] == 200);
  CHECK(j["requests_completed"].get<int>() + j["requests_rejected"].get<int>() +
            j["requests_in_flight"].get<int>() ==
        200);
  CHECK(j["scheduler"] == "chunked");
  CHECK(j["engine"] == "event");
  CHECK(j["goodput_requests_per_s"].get<double>() <=
        j["requests_completed"].get<double>() / j["simulated_time_s"].get<double>());
  auto text = kcsim::test::read_file(csv);
  CHECK(std::count(text.begin(), text.end(), '\n') == 201);
  CHECK_THAT(text, ContainsSubstring("id,arrival_s,first_token_s,finish_s,ttft_s"));

  auto again = run_kcsim(kServe + " --router jsq-tokens --scheduler chunked");
  CHECK(again.out == r.out);
  auto other = run_kcsim(kServe + " --router jsq-tokens --scheduler chunked --seed 2");
  CHECK(other.out != r.out);
}

TEST_CASE("kcsim serve --trace reads the Azure-layout sample", "[serving][cli]") {
  auto r = run_kcsim(
      "serve --model llama2-7b --chip a100-80g --tp 1 --replicas 2 --check-kv --json "
      "--trace " KCSIM_SOURCE_DIR "/tests/data/serving/azure-layout-sample.csv");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["requests_arrived"] == 200);
  CHECK(j["arrivals"] == "trace");
}

TEST_CASE("kcsim serve: bad stream flags are input errors", "[serving][cli]") {
  auto no_stream = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --scheduler chunked");
  CHECK(no_stream.exit_code == 2);
  CHECK_THAT(no_stream.err, ContainsSubstring("--rate"));
  auto bad_scheduler = run_kcsim(
      "serve --model llama2-7b --chip a100-80g --tp 1 --rate 1 --requests 5 --scheduler fifo");
  CHECK(bad_scheduler.exit_code == 2);
  CHECK_THAT(bad_scheduler.err, ContainsSubstring("unknown scheduler \"fifo\""));
  auto no_stop = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --rate 1");
  CHECK(no_stop.exit_code == 2);
  auto missing =
      run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --trace /nonexistent.csv");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, ContainsSubstring("/nonexistent.csv"));
  auto one_replica = run_kcsim(
      "serve --model llama2-7b --chip a100-80g --tp 1 --rate 1 --requests 5 --scheduler "
      "disaggregated");
  CHECK(one_replica.exit_code == 3);
}

TEST_CASE("a scenario's load block: a bad field is named with its line", "[serving][cli]") {
  auto path = kcsim::test::write_temp_file(
      "bad-load.textproto",
      "name: \"x\"\ncluster_names: \"dgx-a100\"\nserving {\n  model: \"llama3-8b\"\n  tp: 1\n"
      "  load {\n    rate_per_s: 5\n    requests: 10\n    scheduler: \"fifo\"\n  }\n}\n");
  auto r = run_kcsim("run " + path);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("bad-load.textproto:9:5: scheduler: unknown scheduler"));
  CHECK(r.out.empty());
}

TEST_CASE("kcsim serve --rate: energy and power come from the load run, in text and JSON",
          "[serving][cli]") {
  const std::string stream =
      "serve --model llama2-7b --chip a100-80g --tp 1 --replicas 2 --rate 10 --requests 200 "
      "--input-lengths lognormal:400:0.8 --output-lengths uniform:8:128 --check-kv";
  auto json_run = run_kcsim(stream + " --json");
  auto text_run = run_kcsim(stream);
  auto closed_run = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --replicas 2 --json");
  REQUIRE(json_run.exit_code == 0);
  REQUIRE(text_run.exit_code == 0);
  REQUIRE(closed_run.exit_code == 0);
  auto j = nlohmann::json::parse(json_run.out);
  auto closed = nlohmann::json::parse(closed_run.out);
  CHECK(j["energy_source"] == "load_run");
  CHECK(closed["energy_source"] == "closed_form_batch");

  // Every energy and power key is the load run's: they agree with its tokens and its time.
  double t = j["simulated_time_s"].get<double>();
  double tokens = j["throughput_output_tokens_per_s"].get<double>() * t;
  const auto& b = j["energy_breakdown_j"];
  CHECK(b["duration_s"].get<double>() == Catch::Approx(t));
  CHECK(j["energy_per_output_token_j"].get<double>() ==
        Catch::Approx(b["it_j"].get<double>() / tokens));
  CHECK(j["avg_it_power_w"].get<double>() == Catch::Approx(b["it_j"].get<double>() / t));
  CHECK(j["tokens_per_kwh"].get<double>() ==
        Catch::Approx(tokens / (b["facility_j"].get<double>() / 3.6e6)));
  CHECK(j["output_tokens_per_s_per_kw"].get<double>() ==
        Catch::Approx(j["throughput_output_tokens_per_s"].get<double>() /
                      (j["avg_it_power_w"].get<double>() / 1000)));
  double replicas_j = 0;
  for (const auto& u : j["replica_use"]) replicas_j += u["device_energy_j"].get<double>();
  CHECK(j["avg_device_power_w"].get<double>() == Catch::Approx(replicas_j / 2 / t));
  // A load of mostly short decode batches draws less per device than the closed form's batch.
  CHECK(j["avg_device_power_w"].get<double>() != closed["avg_device_power_w"].get<double>());

  // The text prints those figures, labelled, and none of the closed form's.
  const auto& text = text_run.out;
  auto has = [&](const std::string& s) {
    INFO(s);
    CHECK_THAT(text, ContainsSubstring(s));
  };
  has(fmt::format("load run: {:.3f} J per output token",
                  j["energy_per_output_token_j"].get<double>()));
  has(
      fmt::format("load run: {:.1f} kW IT average ({:.0f} W per device), {:.1f} output tokens/s "
                  "per kW",
                  j["avg_it_power_w"].get<double>() / 1000, j["avg_device_power_w"].get<double>(),
                  j["output_tokens_per_s_per_kw"].get<double>()));
  has(fmt::format("{:.0f} tokens per kWh", j["tokens_per_kwh"].get<double>()));
  has(fmt::format("closed form           batch 1: TTFT {:.2f} ms",
                  closed["ttft_s"].get<double>() * 1e3));
  CHECK_THAT(text,
             !ContainsSubstring(fmt::format("{:.3f} J per output token",
                                            closed["energy_per_output_token_j"].get<double>())));
  CHECK_THAT(text, !ContainsSubstring(fmt::format("{:.0f} tokens per kWh",
                                                  closed["tokens_per_kwh"].get<double>())));
  CHECK_THAT(text, !ContainsSubstring("time to first token"));
}

TEST_CASE("kcsim serve --pp: stages in a replica; a pp that does not divide the layers exits 3",
          "[serving][cli][pp]") {
  auto r = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --pp 2 --replicas 2 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["pp"] == 2);
  CHECK(j["devices"] == 4);
  auto load = run_kcsim(
      "serve --model llama2-7b --chip a100-80g --tp 1 --pp 2 --replicas 2 --rate 5 --requests 40 "
      "--scheduler disaggregated --prefill-replicas 1 --check-kv --json");
  REQUIRE(load.exit_code == 0);
  auto l = nlohmann::json::parse(load.out);
  CHECK(l["requests_completed"] == 40);
  CHECK(l["pp"] == 2);
  auto bad = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --pp 3");
  CHECK(bad.exit_code == 3);
  CHECK_THAT(bad.err, ContainsSubstring("pp values that do: 1, 2, 4, 8, 16, 32"));
  auto zero = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --pp 0");
  CHECK(zero.exit_code == 2);
}

// Every engine result crosses the fork as JSON carried in CBOR (isolated_run.hpp): the serving
// loop's records come back field for field and bit for bit, and a malformed table is refused.
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/serving_loop_json.hpp"

using namespace kcsim;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

event::ServingLoopOutput sample_output() {
  event::ServingLoopOutput out;
  ServingLoadResult& load = out.load;
  load.simulated_time_s = 1.0 / 3.0;
  load.iterations = 123456789012LL;
  load.kv_transfer_bytes = 7.25e12;
  load.kv_conversion_bytes = 1.0 / 7.0;
  out.side_power_peak_w = {4800.0, std::nextafter(1200.0, 0.0)};
  load.tp_allreduce_bytes = 0.1 + 0.2;
  load.link_bytes_in_server = 1e-300;
  load.link_bytes_between_servers = 2.5;
  load.cluster_power_cap_w = 33000;
  load.cluster_power_peak_w = 32999.999999999996;
  load.cap_throttled_iterations = 42;
  out.in_system_integral = std::nextafter(10.0, 11.0);
  out.batch_sequences_sum = 5e-324;  // the smallest subnormal
  out.links = {3.0 / 7.0, 11.0 / 13.0};
  load.requests = {{0, 0.0, 0.5, 1.5, 512, 128, 2, -1, 0, false},
                   {1, 1e-9, -1, -1, 4096, 1, 0, 3, 2, true}};
  load.replica_use = {{0, "prefill", 10, 0.1, 0.2, 0.3, 1.0 / 3.0, 123.456, 7.0},
                      {1, "decode", 20, 1.1, 1.2, 1.3, 0.25, 654.321, 8.0}};
  load.iteration_log = {{1, 0.125, 0.0625, 0.9, 0.4, 7, 512, 0.85, 612.5}};
  load.power_samples = {{0.0, 4800.0}, {0.5, std::nextafter(4800.0, 0.0)}};
  return out;
}

}  // namespace

TEST_CASE("a serving loop's output survives the fork bit for bit") {
  const event::ServingLoopOutput in = sample_output();
  const event::ServingLoopOutput out =
      event::serving_loop_from_json(event::run_isolated_json([&] { return to_json(in); }));
  const ServingLoadResult &a = in.load, &b = out.load;
  CHECK(same_bits(a.simulated_time_s, b.simulated_time_s));
  CHECK(a.iterations == b.iterations);
  CHECK(same_bits(a.kv_transfer_bytes, b.kv_transfer_bytes));
  CHECK(same_bits(a.kv_conversion_bytes, b.kv_conversion_bytes));
  REQUIRE(out.side_power_peak_w.size() == 2);
  CHECK(same_bits(in.side_power_peak_w[1], out.side_power_peak_w[1]));
  CHECK(same_bits(a.tp_allreduce_bytes, b.tp_allreduce_bytes));
  CHECK(same_bits(a.link_bytes_in_server, b.link_bytes_in_server));
  CHECK(same_bits(a.link_bytes_between_servers, b.link_bytes_between_servers));
  CHECK(same_bits(a.cluster_power_peak_w, b.cluster_power_peak_w));
  CHECK(a.cap_throttled_iterations == b.cap_throttled_iterations);
  CHECK(same_bits(in.in_system_integral, out.in_system_integral));
  CHECK(same_bits(in.batch_sequences_sum, out.batch_sequences_sum));
  CHECK(same_bits(in.links.in_server, out.links.in_server));
  CHECK(same_bits(in.links.between_servers, out.links.between_servers));

  REQUIRE(b.requests.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const auto &x = a.requests[i], &y = b.requests[i];
    CHECK(x.id == y.id);
    CHECK(same_bits(x.arrival_s, y.arrival_s));
    CHECK(same_bits(x.first_token_s, y.first_token_s));
    CHECK(same_bits(x.finish_s, y.finish_s));
    CHECK(x.input_tokens == y.input_tokens);
    CHECK(x.output_tokens == y.output_tokens);
    CHECK(x.replica == y.replica);
    CHECK(x.decode_replica == y.decode_replica);
    CHECK(x.preemptions == y.preemptions);
    CHECK(x.rejected == y.rejected);
  }
  REQUIRE(b.replica_use.size() == 2);
  CHECK(b.replica_use[1].pool == "decode");
  CHECK(b.replica_use[1].iterations == 20);
  CHECK(same_bits(a.replica_use[0].kv_utilization_mean, b.replica_use[0].kv_utilization_mean));
  CHECK(same_bits(a.replica_use[1].device_energy_j, b.replica_use[1].device_energy_j));
  REQUIRE(b.iteration_log.size() == 1);
  CHECK(b.iteration_log[0].sequences == 7);
  CHECK(b.iteration_log[0].prefill_tokens == 512);
  CHECK(same_bits(a.iteration_log[0].dvfs_speed, b.iteration_log[0].dvfs_speed));
  REQUIRE(b.power_samples.size() == 2);
  CHECK(same_bits(a.power_samples[1].power_w, b.power_samples[1].power_w));
}

TEST_CASE("doubles JSON text cannot carry come back across the fork") {
  // JSON text writes NaN and infinity as null; CBOR keeps them.
  Json back = event::run_isolated_json([] {
    return Json{{"nan", std::numeric_limits<double>::quiet_NaN()},
                {"inf", std::numeric_limits<double>::infinity()}};
  });
  CHECK(std::isnan(back.at("nan").get<double>()));
  CHECK(back.at("inf").get<double>() == std::numeric_limits<double>::infinity());
}

TEST_CASE("an engine that throws in the child is an error in the parent, with its message") {
  try {
    event::run_isolated_json([]() -> Json { throw std::logic_error("stalled at 3 s"); });
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("stalled at 3 s") != std::string::npos);
  }
}

TEST_CASE("a serving table with columns of different lengths is refused, naming the column") {
  Json j = to_json(sample_output());
  j["requests"]["finish_s"].erase(0);
  try {
    event::serving_loop_from_json(j);
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("requests column finish_s") != std::string::npos);
  }
  Json missing = to_json(sample_output());
  missing["replicas"].erase("busy_s");
  CHECK_THROWS_AS(event::serving_loop_from_json(missing), nlohmann::json::exception);
}

// Power in the event serving loop: the device cap per iteration, the cluster-wide cap and its
// governor (every sample under the cap, prefill throttled first, nothing changed above the
// peak, samples integrating to the energy), and link energy by the bytes the run moves.
#include <algorithm>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "analysis/json_writer.hpp"
#include "sim/jobs/serving_load.hpp"
#include "tests/event/request_streams.hpp"
#include "tests/sim/engine_fixtures.hpp"
#include "workloads/serving/request_stream.hpp"

using namespace kcsim;
using Catch::Approx;
using kcsim::test::fixed;
using kcsim::test::stream;
using kcsim::test::uniform;

namespace {

// The integral of the samples' step function from 0 to `end_s`.
double integral(const std::vector<ClusterPowerSample>& samples, double end_s) {
  double j = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    double until = i + 1 < samples.size() ? samples[i + 1].time_s : end_s;
    j += samples[i].power_w * (until - samples[i].time_s);
  }
  return j;
}

ServingResult run(const ClusterModel& cluster, ServingSpec spec, int replicas,
                  const ServingLoadOptions& options, const serving::RequestStream& requests) {
  spec.replicas = replicas;
  return simulate_serving_load(cluster, spec, options, requests);
}

}  // namespace

TEST_CASE("a device cap slows the loop's prefill iterations and leaves decode nearly alone",
          "[serving][power]") {
  auto cluster = test::catalog_cluster("dgx-h100", 1);
  auto spec = test::serving(cluster, "llama2-70b", 8, 1, 1500, 64);
  ServingLoadOptions options;
  options.record_iterations = true;
  // Far apart: every request is served alone, so TTFT is its prefill and TPOT its decode.
  auto requests = stream(0.2, 12, fixed(1500), fixed(64));
  auto free_run = run(cluster, spec, 1, options, requests);
  spec.device_power_cap_w = 350;
  auto capped = run(cluster, spec, 1, options, requests);

  double prefill = capped.load->ttft_mean_s / free_run.load->ttft_mean_s;
  double decode = capped.load->tpot_mean_s / free_run.load->tpot_mean_s;
  INFO("TTFT x" << prefill << ", TPOT x" << decode);
  // Half the TDP: prefill, compute-bound, slows with the clock; decode, memory-bound, saves
  // through the voltage first and slows far less.
  CHECK(prefill > 1.15);
  CHECK(decode < 1.0 + 0.5 * (prefill - 1));
  CHECK(capped.load->energy.device_j != free_run.load->energy.device_j);
  for (const auto& it : capped.load->iteration_log) {
    CHECK(it.device_power_w <= 350 * (1 + 1e-9));
    if (it.prefill_tokens > 0) {
      // The whole iteration slowed about as 1/f: its prefill is compute-bound.
      CHECK(it.dvfs_speed < 0.9);
    }
  }
  // Uncapped, the TDP is the limit: decode steps keep the nominal clock.
  for (const auto& it : free_run.load->iteration_log) {
    CHECK(it.device_power_w <= cluster.chip.tdp_w() * (1 + 1e-9));
    if (it.prefill_tokens == 0) CHECK(it.dvfs_speed == 1.0);
  }
}

TEST_CASE("a cluster power cap holds at every sample and throttles prefill first",
          "[serving][power]") {
  auto cluster = test::catalog_cluster("dgx-h100", 1);
  auto spec = test::serving(cluster, "llama3-8b", 1, 1, 1024, 128);
  ServingLoadOptions options;
  options.record_iterations = true;
  // A burst that keeps all eight replicas busy with a mix of prefill and decode.
  auto requests = stream(400, 600, uniform(256, 4096), uniform(32, 256), 3);
  auto free_run = run(cluster, spec, 8, options, requests);
  const auto& f = free_run.load.value();
  REQUIRE(f.requests_completed == 600);
  REQUIRE(!f.power_samples.empty());
  double peak = 0;
  for (const auto& s : f.power_samples) peak = std::max(peak, s.power_w);
  CHECK(f.cluster_power_peak_w == peak);
  CHECK(f.cap_throttled_iterations == 0);
  // The samples integrate to the devices' energy.
  CHECK(integral(f.power_samples, f.simulated_time_s) ==
        Approx(f.energy.device_j + f.energy.memory_j).epsilon(1e-9));

  SECTION("a cap below the peak") {
    double cap = 0.75 * peak;
    options.cluster_power_cap_w = cap;
    auto capped = run(cluster, spec, 8, options, requests);
    const auto& c = capped.load.value();
    REQUIRE(c.requests_completed == 600);
    CHECK(c.cluster_power_cap_w == cap);
    for (const auto& s : c.power_samples) REQUIRE(s.power_w <= cap);
    CHECK(c.cluster_power_peak_w <= cap);
    CHECK(c.cap_throttled_iterations > 0);
    CHECK(integral(c.power_samples, c.simulated_time_s) ==
          Approx(c.energy.device_j + c.energy.memory_j).epsilon(1e-9));
    // Throughput falls, but by less than the power it gave up.
    double throughput = c.throughput_output_tokens_per_s / f.throughput_output_tokens_per_s;
    INFO("throughput x" << throughput << " under a cap of 0.75 x the peak");
    CHECK(throughput < 1.0);
    CHECK(throughput > 0.75);
    // Prefill iterations give up their clock before decode iterations do.
    double prefill_speed = 0, decode_speed = 0;
    int prefills = 0, decodes = 0;
    for (const auto& it : c.iteration_log) {
      if (it.prefill_tokens > 0) {
        prefill_speed += it.dvfs_speed;
        ++prefills;
      } else {
        decode_speed += it.dvfs_speed;
        ++decodes;
      }
    }
    REQUIRE(prefills > 0);
    REQUIRE(decodes > 0);
    INFO("mean speed: prefill " << prefill_speed / prefills << ", decode "
                                << decode_speed / decodes);
    CHECK(prefill_speed / prefills < decode_speed / decodes);
  }

  SECTION("a cap above the peak changes nothing") {
    options.cluster_power_cap_w = peak * 1.001;
    auto above = run(cluster, spec, 8, options, requests);
    CHECK(above.load->cap_throttled_iterations == 0);
    auto a = to_json(free_run), b = to_json(above);
    a.erase("cluster_power_cap_w");
    b.erase("cluster_power_cap_w");
    CHECK(dump(a) == dump(b));
  }

  SECTION("a cap below the held-idle floor cannot run") {
    options.cluster_power_cap_w = 8 * 100;
    CHECK_THROWS_AS(run(cluster, spec, 8, options, requests), InfeasibleError);
  }
}

TEST_CASE("link energy grows with the KV bytes a disaggregated run sends", "[serving][energy]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  ServingLoadOptions options;
  options.disaggregated = true;
  const auto& links = cluster.link_power;
  // Link energy above what the job's share of the links draws idle over the run.
  auto idle_j = [&](const ServingLoadResult& l) {
    return l.energy.servers / cluster.tiers.nodes * links.in_server_idle_w * l.simulated_time_s;
  };
  auto traffic_j = [&](const ServingLoadResult& l) { return l.energy.link_j - idle_j(l); };
  auto short_prompts = run(cluster, spec, 4, options, stream(4, 100, fixed(1000), fixed(32)));
  auto long_prompts = run(cluster, spec, 4, options, stream(4, 100, fixed(2000), fixed(32)));
  const auto& a = short_prompts.load.value();
  const auto& b = long_prompts.load.value();
  REQUIRE(a.kv_transfer_bytes > 0);
  CHECK(b.kv_transfer_bytes == Approx(2 * a.kv_transfer_bytes));
  CHECK(a.tp_allreduce_bytes == 0);
  CHECK(traffic_j(a) > 0);
  // Every transfer crosses the NVSwitch the same way: the energy goes with the bytes.
  CHECK(traffic_j(b) == Approx(2 * traffic_j(a)).epsilon(1e-6));
  CHECK(b.link_bytes_in_server == Approx(2 * a.link_bytes_in_server));

  SECTION("tensor-parallel all-reduces are counted too") {
    auto tp2 = test::serving(cluster, "llama2-7b", 2, 1, 512, 128);
    ServingLoadOptions plain;
    auto r = run(cluster, tp2, 2, plain, stream(4, 50, fixed(500), fixed(20)));
    // Every token of every iteration: 500 prompt tokens, then one per decode step.
    double tokens = 50.0 * (500 + 19);
    double per_token = 2.0 * tp2.model.layers * tp2.model.hidden * 2;  // bf16 activations
    CHECK(r.load->tp_allreduce_bytes == Approx(tokens * per_token));
    CHECK(r.load->link_bytes_in_server > 0);
    CHECK(r.load->energy.link_j > idle_j(r.load.value()));
  }
}

TEST_CASE("KV transfers between pipelined replicas go between the replicas' own servers",
          "[serving][energy]") {
  // Two DGX A100 servers of 8; replicas of tp 2 x pp 2 hold devices 4r to 4r + 3, so prefill
  // replicas 0 and 1 sit on the first server and decode replicas 2 and 3 on the second: every
  // KV cache leaves its server.
  auto cluster = test::catalog_cluster("dgx-a100", 2);
  auto spec = test::serving(cluster, "llama2-7b", 2, 1, 512, 128, 2);
  ServingLoadOptions options;
  options.disaggregated = true;
  options.prefill_replicas = 2;
  auto r = run(cluster, spec, 4, options, stream(4, 40, fixed(1000), fixed(16)));
  REQUIRE(r.load->kv_transfer_bytes > 0);
  CHECK(r.load->link_bytes_between_servers > 0);
}

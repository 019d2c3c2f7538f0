// The serving loop on the event engine: conservation and KV capacity in every run, agreement
// with the closed form at batch 1, published batch-1 latencies, Little's law, and the
// directions the schedulers must show.
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "analysis/json_writer.hpp"
#include "configs/loader/text_loader.hpp"
#include "hw-models/power_model.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/jobs/serving_load.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/event/request_streams.hpp"
#include "tests/sim/engine_fixtures.hpp"
#include "validation.pb.h"
#include "workloads/serving/request_stream.hpp"

using namespace kcsim;
using Catch::Approx;
using kcsim::test::fixed;
using kcsim::test::stream;

namespace {

// Arrived = completed + rejected + in flight, and the counts match the records.
void check_conservation(const ServingLoadResult& l) {
  INFO("arrived " << l.requests_arrived << " completed " << l.requests_completed << " rejected "
                  << l.requests_rejected << " in flight " << l.requests_in_flight);
  REQUIRE(l.requests_arrived == static_cast<long long>(l.requests.size()));
  REQUIRE(l.requests_arrived == l.requests_completed + l.requests_rejected + l.requests_in_flight);
  for (const auto& r : l.requests) {
    if (r.finish_s >= 0) {
      REQUIRE(r.first_token_s >= r.arrival_s);
      REQUIRE(r.finish_s >= r.first_token_s);
    }
  }
}

ServingLoadOptions checked(const std::string& policy = "continuous") {
  ServingLoadOptions o;
  o.policy = policy;
  o.checked_kv = true;  // the run fails if blocks in use ever exceed the capacity
  return o;
}

ServingResult run(const ClusterModel& cluster, ServingSpec spec, int replicas,
                  const ServingLoadOptions& options, const serving::RequestStream& requests) {
  spec.replicas = replicas;
  auto result = simulate_serving_load(cluster, spec, options, requests);
  check_conservation(result.load.value());
  return result;
}

}  // namespace

TEST_CASE("at batch 1 the serving loop reproduces the closed-form TTFT and TPOT",
          "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  serving::RequestStream spaced;
  for (int i = 0; i < 4; ++i) spaced.push_back({i, 30.0 * i, 512, 128});
  auto options = checked();
  options.max_batch = 1;
  auto r = run(cluster, spec, 1, options, spaced);
  CHECK(r.load->requests_completed == 4);
  CHECK(r.load->ttft_p50_s == Approx(r.ttft_s).epsilon(0.03));
  CHECK(r.load->tpot_mean_s == Approx(r.tpot_s).epsilon(0.03));
  CHECK(r.load->e2e_mean_s == Approx(r.e2e_s).epsilon(0.03));
  CHECK(r.load->batch_size_mean == 1.0);
  CHECK(r.load->preemptions == 0);
}

TEST_CASE("at batch 1 with pp 2 the serving loop reproduces the closed form",
          "[serving][event][pp]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-13b", 2, 1, 1024, 128, 2);
  serving::RequestStream spaced;
  for (int i = 0; i < 4; ++i) spaced.push_back({i, 30.0 * i, 1024, 128});
  auto options = checked();
  options.max_batch = 1;
  auto r = run(cluster, spec, 2, options, spaced);
  CHECK(r.pp == 2);
  CHECK(r.devices == 8);
  CHECK(r.load->requests_completed == 4);
  CHECK(r.load->ttft_p50_s == Approx(r.ttft_s).epsilon(0.03));
  CHECK(r.load->tpot_mean_s == Approx(r.tpot_s).epsilon(0.03));
  CHECK(r.load->e2e_mean_s == Approx(r.e2e_s).epsilon(0.03));
  // Every device of a replica is held the whole run: at least its held-idle draw, and the
  // devices of each stage compute only their stage.
  for (const auto& u : r.load->replica_use) {
    CHECK(u.device_energy_j > 4 * held_idle_w(cluster.chip) * r.load->simulated_time_s);
  }
  CHECK(r.load->avg_device_power_w < cluster.chip.config().power().tdp_w());
}

TEST_CASE("published batch-1 latencies through the serving loop (Splitwise, FasterTransformer)",
          "[serving][event][validation]") {
  config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  test::ScratchFolder folder;
  // Three requests a minute apart: no queueing, as the published batch-1 measurements.
  auto trace = (folder.path() / "spaced.csv").string();
  int checked_rows = 0;
  for (const auto& path : catalog.files("validation")) {
    auto name = path.stem().string();
    if (name.rfind("splitwise", 0) != 0 && name.rfind("fastertransformer", 0) != 0) continue;
    config::ValidationCase c;
    auto file = config::LoadedFile::parse(path, &c);
    // Power rows and ratios under power caps are not latencies.
    if ((c.metric() != "ttft_s" && c.metric() != "tpot_s") || c.has_ratio_to()) continue;
    auto job = c.serving();
    std::ofstream(trace) << "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                         << fmt::format("0,{0},{1}\n60,{0},{1}\n120,{0},{1}\n", job.prompt_tokens(),
                                        job.output_tokens());
    job.mutable_load()->set_trace(trace);
    job.mutable_load()->set_max_batch(1);
    job.mutable_load()->set_check_kv(true);
    auto cluster = resolve_cluster(c.cluster(), catalog, &file, "cluster");
    auto r = run_serving_job(job, cluster, catalog, {&file, "serving"});
    check_conservation(r.load.value());
    double simulated = c.metric() == "ttft_s" ? r.load->ttft_p50_s : r.load->tpot_mean_s;
    INFO(name << ": published " << c.published() << " s, serving loop " << simulated << " s");
    CHECK(std::abs(simulated - c.published()) / c.published() <= 0.15);
    ++checked_rows;
  }
  CHECK(checked_rows == 6);
}

TEST_CASE("Little's law holds on a steady-state run", "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  serving::Lengths input{serving::Lengths::Kind::Lognormal, 0, 16, 8000, 600, 0.8};
  serving::Lengths output{serving::Lengths::Kind::Uniform, 0, 16, 256};
  double rate = 12;
  auto r = run(cluster, spec, 2, checked(), stream(rate, 4000, input, output));
  const auto& l = r.load.value();
  CHECK(l.requests_completed == 4000);
  INFO("L " << l.requests_in_system_mean << ", lambda W " << rate * l.e2e_mean_s);
  // L from the engine's own count of requests in the system; lambda the offered rate.
  CHECK(l.requests_in_system_mean == Approx(rate * l.e2e_mean_s).epsilon(0.05));
  CHECK(l.batch_size_mean > 1);
}

TEST_CASE("continuous batching beats static batching on throughput", "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 256, 128);
  serving::Lengths output{serving::Lengths::Kind::Uniform, 0, 8, 512};
  auto requests = stream(40, 600, fixed(256), output);
  auto options = checked("static");
  options.max_batch = 32;
  auto stat = run(cluster, spec, 1, options, requests);
  options.policy = "continuous";
  auto cont = run(cluster, spec, 1, options, requests);
  INFO("static " << stat.load->throughput_output_tokens_per_s << " tok/s, continuous "
                 << cont.load->throughput_output_tokens_per_s);
  CHECK(cont.load->throughput_output_tokens_per_s >
        1.2 * stat.load->throughput_output_tokens_per_s);
  CHECK(cont.load->e2e_p50_s < stat.load->e2e_p50_s);
}

TEST_CASE("chunked prefill lowers p99 TPOT under mixed long-prompt load", "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 256, 128);
  serving::Lengths input{serving::Lengths::Kind::Lognormal, 0, 16, 8000, 1500, 1.0};
  auto requests = stream(3, 400, input, fixed(128));
  auto cont = run(cluster, spec, 1, checked(), requests);
  auto options = checked("chunked");
  options.chunk_tokens = 256;
  auto chunked = run(cluster, spec, 1, options, requests);
  INFO("p99 TPOT continuous " << cont.load->tpot_p99_s << " s, chunked "
                              << chunked.load->tpot_p99_s);
  CHECK(chunked.load->tpot_p99_s < 0.8 * cont.load->tpot_p99_s);
  CHECK(chunked.load->requests_completed == 400);
}

TEST_CASE("KV cache pressure preempts and recomputes; requests that never fit are rejected",
          "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100-40g", 1);
  auto spec = test::serving(cluster, "llama2-13b", 1, 1, 512, 128);
  auto requests = stream(20, 300, fixed(1024), fixed(1024));
  requests[5].input_tokens = 500000;  // beyond any replica's cache
  auto r = run(cluster, spec, 1, checked(), requests);
  INFO("preemptions " << r.load->preemptions << ", KV used " << r.load->kv_utilization_mean
                      << " of " << r.load->kv_blocks_per_replica << " blocks, batch "
                      << r.load->batch_size_mean);
  CHECK(r.load->preemptions > 0);
  CHECK(r.load->requests_rejected == 1);
  CHECK(r.load->requests[5].rejected);
  CHECK(r.load->requests_completed == 299);
  CHECK(r.load->kv_utilization_mean > 0.5);
  CHECK(r.load->kv_utilization_mean <= 1.0);
}

TEST_CASE("a run stopped early counts its unfinished requests in flight", "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  auto options = checked();
  options.stop_s = 5;
  auto r = run(cluster, spec, 1, options, stream(50, 400, fixed(512), fixed(256)));
  CHECK(r.load->requests_in_flight > 0);
  CHECK(r.load->simulated_time_s == Approx(5.0));
}

TEST_CASE("disaggregated pools send every prefilled KV cache over the network",
          "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  auto options = checked();
  options.disaggregated = true;
  options.router = "least-outstanding";
  auto requests = stream(8, 200, fixed(1000), fixed(64));
  auto r = run(cluster, spec, 4, options, requests);
  const auto& l = r.load.value();
  CHECK(l.requests_completed == 200);
  CHECK(l.prefill_replicas == 2);
  double per_token = serving_kv_bytes_per_token_per_device(spec.model, spec.kv_dtype, 1);
  CHECK(l.kv_transfer_bytes == Approx(200 * 1000 * per_token));
  for (const auto& rec : l.requests) {
    REQUIRE(rec.replica < 2);
    REQUIRE(rec.decode_replica >= 2);
  }
  for (const auto& u : l.replica_use) CHECK(u.busy_s > 0);
  CHECK(l.replica_use[0].pool == "prefill");
  CHECK(l.replica_use[3].pool == "decode");
}

TEST_CASE("bursty load: disaggregated and continuous runs finish every request",
          "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  serving::Arrivals bursts;
  bursts.kind = serving::Arrivals::Kind::Gamma;
  bursts.rate_per_s = 20;
  bursts.cv = 3;
  serving::Lengths input{serving::Lengths::Kind::Lognormal, 0, 1, 9600, 600, 0.8};
  serving::Lengths output{serving::Lengths::Kind::Uniform, 0, 16, 256};
  auto requests = serving::synthetic_requests(bursts, input, output, 600, std::nullopt, 1);
  for (auto router : {"jsq-tokens", "least-outstanding", "round-robin"}) {
    for (bool disaggregated : {true, false}) {
      auto options = checked();
      options.disaggregated = disaggregated;
      options.prefill_replicas = 2;
      options.router = router;
      INFO("router " << router << (disaggregated ? " disaggregated" : ""));
      auto r = run(cluster, spec, 4, options, requests);
      CHECK(r.load->requests_in_flight == 0);
      CHECK(r.load->requests_completed + r.load->requests_rejected == 600);
      CHECK(r.load->requests_rejected == 0);
    }
  }
}

TEST_CASE("same seed, same bytes; another seed, another run", "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  serving::Lengths input{serving::Lengths::Kind::Lognormal, 0, 16, 8000, 600, 0.8};
  auto options = checked("chunked");
  options.router = "jsq-tokens";
  options.record_iterations = true;
  auto a = dump(to_json(run(cluster, spec, 3, options, stream(20, 300, input, fixed(100), 9))));
  auto b = dump(to_json(run(cluster, spec, 3, options, stream(20, 300, input, fixed(100), 9))));
  auto c = dump(to_json(run(cluster, spec, 3, options, stream(20, 300, input, fixed(100), 10))));
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("energy: idle and busy device time add up per replica", "[serving][event]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::serving(cluster, "llama2-7b", 1, 1, 512, 128);
  auto options = checked();
  options.record_iterations = true;
  auto r = run(cluster, spec, 2, options, stream(4, 100, fixed(512), fixed(128)));
  const auto& l = r.load.value();
  double busy = 0;
  for (const auto& it : l.iteration_log) {
    busy += it.duration_s;
    REQUIRE(it.compute_utilization >= 0);
    REQUIRE(it.memory_utilization <= 1.0 + 1e-12);
  }
  CHECK(busy == Approx(l.replica_use[0].busy_s + l.replica_use[1].busy_s).epsilon(1e-9));
  CHECK(static_cast<long long>(l.iteration_log.size()) == l.iterations);
  // A replica's devices draw at least their held-idle power the whole run and at most TDP.
  double held = held_idle_w(cluster.chip) * l.simulated_time_s;
  double replicas_j = 0;
  for (const auto& u : l.replica_use) {
    CHECK(u.device_energy_j > held);
    CHECK(u.device_energy_j < cluster.chip.config().power().tdp_w() * l.simulated_time_s);
    CHECK(u.memory_energy_j > 0);
    CHECK(u.memory_energy_j < u.device_energy_j);
    replicas_j += u.device_energy_j;
  }
  // The job is charged its replicas' devices and their share of the server (2 of 8 devices).
  CHECK(l.energy.device_j + l.energy.memory_j == Approx(replicas_j).epsilon(1e-9));
  CHECK(l.energy.servers == Approx(0.25).epsilon(1e-12));
  CHECK(l.energy.facility_j > l.energy.it_j);
  CHECK(l.energy_per_output_token_j > 0);
  // Charged by whole servers, the server's other devices idle on the job's bill too.
  spec.whole_servers = true;
  auto whole = run(cluster, spec, 2, options, stream(4, 100, fixed(512), fixed(128)));
  int unused = cluster.devices() - 2;
  CHECK(whole.load->energy.device_j + whole.load->energy.memory_j ==
        Approx(replicas_j + unused * cluster.chip.idle_w() * l.simulated_time_s).epsilon(1e-9));
  CHECK(whole.load->energy.servers == 1);
  CHECK(whole.load->energy.server_j > 2 * l.energy.server_j);
}

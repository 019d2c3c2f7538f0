// The serving loop at scale: Llama-2-7B on 16 A100 replicas (two DGX A100, TP 1), continuous
// batching with a paged KV cache, round-robin routing, Poisson arrivals; input lengths
// lognormal (mean 600 tokens, sigma 0.8), output lengths uniform 16..256. Prints the wall time
// of the whole run (fork included), simulated requests per wall second, iterations, and the
// peak memory of the simulating process.
//   kcsim_serving_scale [REQUESTS [RATE_PER_S [SCHEDULER]]]   (default: 100000 160 continuous)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "configs/loader/catalog.hpp"
#include "sim/jobs/serving_load.hpp"
#include "workloads/serving/request_stream.hpp"

int main(int argc, char** argv) {
  using namespace kcsim;
  long long count = argc > 1 ? std::stoll(argv[1]) : 100000;
  double rate = argc > 2 ? std::stod(argv[2]) : 160;
  std::string scheduler = argc > 3 ? argv[3] : "continuous";

  config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  auto cluster_config = catalog.cluster("dgx-a100");
  cluster_config.set_nodes(2);
  ClusterModel cluster = resolve_cluster(cluster_config, catalog);
  config::ServingJob job;
  job.set_tp(1);
  ServingSpec spec =
      make_serving_spec(job, ModelShape::from_config(catalog.model("llama2-7b")), cluster);
  spec.replicas = 16;

  serving::Arrivals arrivals;
  arrivals.rate_per_s = rate;
  serving::Lengths input{serving::Lengths::Kind::Lognormal, 0, 16, 8000, 600, 0.8};
  serving::Lengths output{serving::Lengths::Kind::Uniform, 0, 16, 256};
  ServingLoadOptions options;
  if (scheduler == "chunked" || scheduler == "static") options.policy = scheduler;
  if (scheduler == "disaggregated") options.disaggregated = true;

  auto start = std::chrono::steady_clock::now();
  auto requests = serving::synthetic_requests(arrivals, input, output, count, std::nullopt, 1);
  auto result = simulate_serving_load(cluster, spec, options, requests);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage child{};
  getrusage(RUSAGE_CHILDREN, &child);
  const auto& l = result.load.value();
  fmt::print(
      "{} requests, {} replicas, {} scheduler: simulated {:.1f} s, {} iterations, "
      "wall {:.2f} s, {:.0f} simulated requests per wall second, peak memory {:.0f} MiB "
      "(simulating process)\n",
      l.requests_arrived, spec.replicas, l.scheduler, l.simulated_time_s, l.iterations, wall,
      static_cast<double>(l.requests_arrived) / wall, child.ru_maxrss / 1024.0);
  fmt::print(
      "  completed {}, TTFT p50 {:.3f} s p99 {:.3f} s, TPOT p50 {:.4f} s p99 {:.4f} s, "
      "{:.0f} output tokens/s, {:.1f} sequences per iteration\n",
      l.requests_completed, l.ttft_p50_s, l.ttft_p99_s, l.tpot_p50_s, l.tpot_p99_s,
      l.throughput_output_tokens_per_s, l.batch_size_mean);
  return 0;
}

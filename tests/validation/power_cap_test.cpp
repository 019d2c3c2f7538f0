// Power caps as measured: a cap slows compute-bound prefill and leaves memory-bound decode nearly
// alone (Splitwise's capped DGX H100), and a moderate cap saves energy on decode-heavy serving
// (Samsi et al. 2023 on A100), from the calibrated chip figures.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/jobs/jobs.hpp"
#include "validation.pb.h"

using Catch::Matchers::WithinAbs;
using namespace kcsim;

namespace {

struct Capped {
  ServingResult free_run, capped;
};

Capped run_capped(const char* case_file, double cap_w) {
  config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  config::ValidationCase c;
  auto file = config::LoadedFile::parse(
      std::string(KCSIM_SOURCE_DIR "/configs/validation/") + case_file, &c);
  config::Cluster cluster_config =
      c.has_cluster() ? c.cluster() : catalog.cluster(c.cluster_name());
  ClusterModel cluster = resolve_cluster(cluster_config, catalog);
  config::ServingJob job = c.serving();
  job.set_device_power_cap_w(0);
  Capped out;
  out.free_run = run_serving_job(job, cluster, catalog);
  job.set_device_power_cap_w(cap_w);
  out.capped = run_serving_job(job, cluster, catalog);
  return out;
}

}  // namespace

TEST_CASE("a cap on DGX H100 slows prefill and leaves decode alone", "[validation][power]") {
  for (double cap : {350.0, 250.0}) {
    auto r = run_capped("splitwise-llama2-70b-h100-ttft.textproto", cap);
    double prefill_ratio = r.capped.ttft_s / r.free_run.ttft_s;
    double decode_ratio = r.capped.tpot_s / r.free_run.tpot_s;
    INFO(cap << " W: prefill x" << prefill_ratio << " at speed " << r.capped.prefill_speed
             << ", decode x" << decode_ratio << " at speed " << r.capped.decode_speed);
    CHECK(prefill_ratio > 1.05);
    CHECK(decode_ratio < 1.0 + 0.25 * (prefill_ratio - 1));
    CHECK(r.capped.prefill_speed < r.capped.decode_speed);
    CHECK(r.capped.prefill_device_power_w <= cap * (1 + 1e-9));
    CHECK(r.capped.decode_device_power_w <= cap * (1 + 1e-9));
  }
}

TEST_CASE("a moderate cap saves energy on decode-heavy serving at a small cost in time",
          "[validation][power]") {
  // LLaMA-65B at batch 64 on A100 80GB PCIe: each cap below the 250 W baseline costs energy less
  // than in proportion and time little, and lower caps save more.
  config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  auto energy = [](const ServingResult& r) { return r.device_energy_j; };
  double last_energy = 0, last_time = 0;
  for (double cap : {250.0, 225.0, 200.0, 175.0}) {
    auto r = run_capped("samsi-llama65b-a100-cap175-energy.textproto", cap);
    auto base = run_capped("samsi-llama65b-a100-cap175-energy.textproto", 250).capped;
    double time_ratio = r.capped.e2e_s / base.e2e_s;
    double energy_ratio = energy(r.capped) / energy(base);
    INFO(cap << " W: time x" << time_ratio << ", energy x" << energy_ratio);
    if (cap < 250) {
      CHECK(energy_ratio < 1);
      CHECK(time_ratio < 1.15);
      CHECK(energy_ratio < last_energy);
      CHECK(time_ratio >= last_time);
    }
    last_energy = energy_ratio;
    last_time = time_ratio;
  }
}

// How fast the analytical engine prices one plan: the number behind "sweeps are cheap".
#include <benchmark/benchmark.h>

#include "configs/loader/catalog.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/engines/analytical/analytical_training.hpp"
#include "sim/jobs/plan_search.hpp"

namespace {

using namespace kcsim;

config::Catalog catalog() { return config::Catalog(KCSIM_SOURCE_DIR "/configs"); }

ClusterModel cluster(const char* name, int nodes) {
  auto config = catalog().cluster(name);
  config.set_nodes(nodes);
  return resolve_cluster(config, catalog());
}

TrainingSpec gpt3_spec(const ClusterModel& c) {
  config::TrainingJob job;
  job.set_global_batch(1536);
  job.mutable_plan()->set_tp(8);
  job.mutable_plan()->set_pp(8);
  job.mutable_plan()->set_sequence_parallel(true);
  auto model = ModelShape::from_config(catalog().model("gpt3-175b"));
  return make_training_spec(job, model, c.devices());
}

void BM_TrainingPoint(benchmark::State& state) {
  auto c = cluster("dgx-a100", 128);
  auto spec = gpt3_spec(c);
  for (auto _ : state) {
    benchmark::DoNotOptimize(simulate_training_analytical(c, spec));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrainingPoint);

void BM_ServingPoint(benchmark::State& state) {
  auto c = cluster("dgx-h100", 1);
  config::ServingJob job;
  job.set_tp(8);
  job.set_batch_size(32);
  auto spec = make_serving_spec(job, ModelShape::from_config(catalog().model("llama2-70b")), c);
  for (auto _ : state) {
    benchmark::DoNotOptimize(simulate_serving_analytical(c, spec));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServingPoint);

void BM_AutoPlanSearch(benchmark::State& state) {
  auto c = cluster("dgx-a100", 128);
  auto spec = gpt3_spec(c);
  for (auto _ : state) {
    benchmark::DoNotOptimize(fitting_training_plans(c, spec, 1));
  }
}
BENCHMARK(BM_AutoPlanSearch)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

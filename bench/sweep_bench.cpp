// Analytical sweep throughput through the sweep path: a point's scenario built from the sweep
// file's axes, run through the same code as `kcsim run`, and turned into its table record
// (what a worker process does per point), on one core, process start excluded.
#include <benchmark/benchmark.h>

#include "configs/loader/catalog.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace {

using namespace kcsim;

// `checked`: the catalog checks each entry's files at every lookup, as a process of many calls
// does (the Python module); a sweep gives its workers a catalog that read them once.
void run_sweep_points(benchmark::State& state, const char* file, bool checked = false) {
  config::Catalog opened(KCSIM_SOURCE_DIR "/configs");
  const config::Catalog catalog = checked ? opened : opened.fixed();
  auto plan = sweep::load_sweep(std::string(KCSIM_SOURCE_DIR "/configs/sweeps/") + file);
  const sweep::InputHasher inputs(plan, catalog);
  size_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sweep::run_point(plan, index, catalog, inputs));
    index = (index + 1) % plan.points;
  }
  state.SetItemsProcessed(state.iterations());
}

// 432 Llama-2-7B training plans on DGX H100 (power envelope x TP x PP x micro-batch x
// recompute; about one in seven infeasible, which costs as much to find out).
void BM_SweepTrainingPoint(benchmark::State& state) {
  run_sweep_points(state, "training-h100-plans.textproto");
}
BENCHMARK(BM_SweepTrainingPoint);

// 512 Llama-3-8B serving points on four chips.
void BM_SweepServingPoint(benchmark::State& state) {
  run_sweep_points(state, "serving-4chips.textproto");
}
BENCHMARK(BM_SweepServingPoint);

// The same, the catalog checking its files at each lookup: what the check costs.
void BM_SweepServingPointChecked(benchmark::State& state) {
  run_sweep_points(state, "serving-4chips.textproto", true);
}
BENCHMARK(BM_SweepServingPointChecked);

}  // namespace

BENCHMARK_MAIN();

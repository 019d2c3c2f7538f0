// The fuzz build leaves the engines out (tests/fuzz/CMakeLists.txt): these stand in for the
// engine functions that the sources it builds name. No entry point runs an engine, so none of
// them is ever called; if one is, it says so and aborts, which libFuzzer reports.
#include <cstdio>
#include <cstdlib>

#include "sim/engines/analytical/analytical_engine.hpp"
#include "sim/engines/analytical/analytical_serving.hpp"
#include "sim/engines/event/event_engine.hpp"
#include "sim/jobs/plan_search.hpp"
#include "sim/jobs/serving_load.hpp"
#include "sim/power/training_result.hpp"

namespace kcsim {
namespace {

[[noreturn]] void not_built(const char* engine) {
  std::fprintf(stderr, "kcsim fuzz build: %s is not built here; no entry point may run it\n",
               engine);
  std::abort();
}

}  // namespace

ServingResult simulate_split_serving_load(const ClusterModel&, const ServingSpec&,
                                          const ClusterModel&, const ServingSpec&,
                                          const ServingLoadOptions&,
                                          const serving::RequestStream&) {
  not_built("simulate_split_serving_load");
}
TrainingResult run_training(const ClusterModel&, const TrainingSpec&) { not_built("run_training"); }
PlannedTraining run_training_auto(const ClusterModel&, const TrainingSpec&) {
  not_built("run_training_auto");
}
ServingResult simulate_serving_analytical(const ClusterModel&, const ServingSpec&) {
  not_built("simulate_serving_analytical");
}
ServingResult simulate_serving_load(const ClusterModel&, const ServingSpec&,
                                    const ServingLoadOptions&, const serving::RequestStream&) {
  not_built("simulate_serving_load");
}
const EventEngine& event_engine() { not_built("event_engine"); }
const Engine& analytical_engine() { not_built("analytical_engine"); }
TrainingRunTotals training_run_totals(const TrainingResult&, double) {
  not_built("training_run_totals");
}

}  // namespace kcsim

// The event engine (sim/engines/event/, on SimGrid) as the rest of kcsim reaches it: an Engine
// (sim/engines/engine.hpp) with the serving loop besides. The kcsim command loads the engine as a
// module on its first event-engine run, so a call that never runs one does not load SimGrid and the
// libraries behind it; tests and benchmarks link the engine in. Either way every run goes through
// event_engine().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/serving_spec.hpp"
#include "sim/cost/training_spec.hpp"
#include "sim/engines/engine.hpp"
#include "sim/power/cluster_energy.hpp"
#include "workloads/chakra_trace.hpp"
#include "workloads/serving/request.hpp"

namespace kcsim {

// Declared, not included: its file calls the engine.
struct ServingLoadOptions;  // serving_load_options.hpp

namespace event {

// A serving loop's raw outcome: requests, replica use, iteration log and the engine's own counts.
// Metrics are not computed here.
struct ServingLoopOutput {
  ServingLoadResult load;
  std::vector<double> side_power_peak_w;  // by side: the most its devices drew at once
  double in_system_integral = 0;          // request-seconds in the system, counted by the engine
  double batch_sequences_sum = 0;
  LinkActivity links;  // the run's link traffic, for link energy
};

}  // namespace event

// One pool of a serving loop's replicas: its cluster, its spec (tp, pp, replicas, dtypes) and
// the KV blocks one replica holds. A loop runs on one side, or, disaggregated across chips, on
// two: the first prefills, the second decodes.
struct ServingSide {
  const ClusterModel& cluster;
  const ServingSpec& spec;
  int64_t kv_blocks = 0;
};

// The event engine: the Engine interface (every question runs in a child process, as SimGrid
// allows one engine per process, and throws as the function it calls does:
// sim/engines/event/*.hpp), and the serving loop every request stream runs on.
class EventEngine : public Engine {
 public:
  // The serving loop of simulate_serving_load (event_serving.hpp), read back: the sides' replicas
  // in order on `network`, whose devices are the sides' clusters' in the same order.
  virtual event::ServingLoopOutput serving_loop(const std::vector<ServingSide>& sides,
                                                const topology::Topology& network,
                                                const ServingLoadOptions& options,
                                                const serving::RequestStream& requests) const = 0;
};

// The engine this program reaches: linked in, or the module loaded on the first call. A module
// that cannot be loaded is a std::runtime_error naming its path.
const EventEngine& event_engine();

}  // namespace kcsim

// The engine (sim/engines/event/engine_entry.cpp): the one symbol the module is looked up by.
extern "C" const kcsim::EventEngine* kcsim_event_engine();

// The engines behind one interface. Both answer the same questions (a training iteration, one
// serving batch per replica, a layer workload's step, a Chakra trace's replay) with the same
// result types, and a job's engine is chosen once, by name (sim/jobs/engine_choice.hpp):
//
// - analytical (sim/engines/analytical/): closed forms along the critical path, no contention,
//   microseconds a question;
// - event (sim/engines/event/, SimGrid): every device an actor, every collective flows on the
//   cluster's topology, sharing its links.
//
// A question an engine cannot answer it refuses with an InputError naming the engine that can.
// A serving request stream is a queueing simulation, not a question of this interface: it always
// runs on the event engine's serving loop (event_engine.hpp), whichever engine a job names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/layer_workload_spec.hpp"
#include "sim/cost/serving_spec.hpp"
#include "sim/cost/training_spec.hpp"
#include "sim/engines/event_options.hpp"
#include "workloads/chakra_trace.hpp"

namespace kcsim {

class Engine {
 public:
  virtual ~Engine() = default;

  // "analytical" or "event", as jobs name it and results report it.
  virtual std::string_view name() const = 0;

  // One iteration of `spec`, planned and checked (plan_search.hpp).
  virtual TrainingResult train(const ClusterModel& cluster, const TrainingSpec& spec,
                               const EventOptions& options) const = 0;

  // One batch of `spec.batch_size` requests on every replica: TTFT, TPOT, throughput, energy.
  virtual ServingResult serve(const ClusterModel& cluster, const ServingSpec& spec) const = 0;

  // One step of a layer workload.
  virtual LayerStepResult step_layers(const LayerWorkloadSpec& spec,
                                      const ClusterModel& cluster) const = 0;

  // One step of the ranks' traces on `cluster`; `trace_out`, when set, receives a Perfetto
  // trace of it.
  virtual ReplayResult replay(const std::vector<ChakraTrace>& traces, const ClusterModel& cluster,
                              const std::string& trace_name,
                              const std::string& trace_out) const = 0;
};

}  // namespace kcsim

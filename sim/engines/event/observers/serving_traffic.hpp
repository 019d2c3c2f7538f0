// An observer of the serving loop (serving_signals.hpp): the link traffic of a serving run, for
// link energy by traffic. It counts each iteration's
// tensor-parallel all-reduces (two per layer over each stage's TP devices, a ring of buffers of
// the iteration's tokens x hidden) and each disaggregated KV-cache transfer (every device of the
// prefill replica sending its share to the same device of the decode replica), routed on the
// cluster's topology at the end of the run (link_bytes.hpp). The replicas of a side (a pool of
// one chip) hold its devices in order, tp x pp each, stage by stage, as the serving loop
// places them.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "sim/cost/serving_batch_cost.hpp"
#include "sim/engines/event/platform/serving_signals.hpp"
#include "sim/power/energy_ledger.hpp"
#include "topology/graph.hpp"

namespace kcsim::event {

// One side of the loop: its spec, its first replica and its first device on the topology.
struct TrafficSide {
  const ServingSpec* spec = nullptr;
  int first_replica = 0, first_device = 0;
};

class ServingTraffic {
 public:
  explicit ServingTraffic(std::vector<TrafficSide> sides);

  // Subscribes to the serving loop's iterations and KV transfers until destroyed.
  void attach();

  // Routes the traffic over a run of `duration_s` and puts it in `load` (bytes) and `links`
  // (activity, for link energy).
  void record(const topology::Topology& topology, double duration_s, ServingLoadResult& load,
              LinkActivity& links) const;

 private:
  // The side replica `replica` is on.
  const TrafficSide& side_of(int replica) const;

  std::vector<TrafficSide> sides_;
  std::vector<double> bytes_per_token_;  // by replica: all-reduce buffer bytes per token, all layers
  std::vector<double> allreduce_bytes_;  // by replica: buffers summed
  std::map<std::pair<int, int>, double> kv_bytes_;  // by (prefill, decode) replica
  Signal<ServingIterationEvent>::Connection iteration_connection_;
  Signal<KvTransferEvent>::Connection kv_connection_;
};

}  // namespace kcsim::event

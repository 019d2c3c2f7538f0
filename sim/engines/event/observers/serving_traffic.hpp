// An observer of the serving loop (serving_signals.hpp): the link traffic of a serving run, for
// link energy by traffic. It counts each iteration's
// tensor-parallel all-reduces (two per layer over each stage's TP devices, a ring of buffers of
// the iteration's tokens x hidden) and each disaggregated KV-cache transfer (every device of the
// prefill replica sending its share to the same device of the decode replica), routed on the
// cluster's topology at the end of the run (link_bytes.hpp). Replica r holds devices
// r x tp x pp onwards, stage by stage, as the serving loop places them.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "sim/cost/serving_batch_cost.hpp"
#include "sim/engines/event/platform/serving_signals.hpp"
#include "sim/power/energy_ledger.hpp"
#include "topology/graph.hpp"

namespace kcsim::event {

class ServingTraffic {
 public:
  explicit ServingTraffic(const ServingSpec& spec);

  // Subscribes to the serving loop's iterations and KV transfers until destroyed.
  void attach();

  // Routes the traffic over a run of `duration_s` and puts it in `load` (bytes) and `links`
  // (activity, for link energy).
  void record(const topology::Topology& topology, double duration_s, ServingLoadResult& load,
              LinkActivity& links) const;

 private:
  int tp_ = 1, pp_ = 1;
  double bytes_per_token_ = 0;           // all-reduce buffer bytes per token over all layers
  std::vector<double> allreduce_bytes_;  // by replica: buffers summed
  std::map<std::pair<int, int>, double> kv_bytes_;  // by (prefill, decode) replica
  Signal<ServingIterationEvent>::Connection iteration_connection_;
  Signal<KvTransferEvent>::Connection kv_connection_;
};

}  // namespace kcsim::event

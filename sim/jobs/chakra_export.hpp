// A training plan written as MLCommons Chakra execution traces, one file per device
// (PREFIX.RANK.et), so that kcsim's plans can be replayed by kcsim itself or by ASTRA-sim.
// Each device's graph is what the event engine runs for it: its pipeline stage's forward and
// backward passes in 1F1B order (interleaved too) as COMP nodes, the tensor- and
// expert-parallel collectives after each pass and the data-parallel gradient reduction as
// COMM_COLL nodes of named process groups, and activations and gradients between stages as
// COMM_SEND / COMM_RECV pairs.
#pragma once

#include <string>
#include <vector>

#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/cost/training_spec.hpp"
#include "workloads/chakra_trace.hpp"

namespace kcsim {

// One device's node graph, in an order that respects its dependencies.
std::vector<chakra::Node> training_rank_nodes(const TrainingSpec& spec, const TrainingCosts& costs,
                                              int rank);

struct ChakraExport {
  int ranks = 0;
  long long nodes = 0;
  std::vector<std::string> files;
  std::vector<std::string> removed;  // rank files past `ranks` left by an earlier export
};

// Writes every device's trace of `spec` on `cluster` to PREFIX.RANK.et, each stating the world
// size, and removes the prefix's rank files past the last (an earlier, larger trace's).
ChakraExport export_training_chakra(const ClusterModel& cluster, const TrainingSpec& spec,
                                    const std::string& prefix);

}  // namespace kcsim

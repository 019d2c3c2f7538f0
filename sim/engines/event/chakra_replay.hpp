// Chakra execution traces replayed on the event engine: every rank's node graph runs on its
// device, each node issued once its dependencies are done; collectives become ring flows over the
// ranks, sends and receives match by source, destination and tag.
#pragma once

#include <string>
#include <vector>

#include "analysis/results.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "workloads/chakra_trace.hpp"

namespace kcsim {

// COMP nodes take their time from num_ops / tensor_size on the chip's roofline when they carry
// them, else from duration_micros; MEM_LOAD / MEM_STORE move tensor_size bytes at memory speed.
// A collective spans its process group, or the network dimensions of its involved_dim (see
// chakra_groups.hpp), else every rank. Nodes are issued as their dependencies finish. Runs in a
// child process. Throws InfeasibleError when the cluster has fewer devices than the trace has
// ranks, and InputError naming the file, rank and node when the ranks deadlock.
ReplayResult replay_chakra(const std::vector<ChakraTrace>& traces, const ClusterModel& cluster,
                           const std::string& trace_name, const std::string& trace_out = "");

}  // namespace kcsim

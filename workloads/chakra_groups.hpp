// Which ranks take part in each collective of a Chakra trace. A COMM_COLL node names its group
// by `pg_name` (a process group: its members are the ranks whose traces use that name) or by
// `involved_dim` (network dimensions, as ASTRA-sim numbers a multi-dimensional network:
// dimension 0 inside a server, 1 the servers under one leaf switch, 2 and above beyond the leaf;
// when every server hangs off one leaf, dimensions from 1 up all join the servers); with neither
// it spans every rank.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "workloads/chakra_trace.hpp"

namespace kcsim {

struct ChakraGroup {
  std::string key;           // names the group in messages and mailbox tags
  std::vector<int> members;  // ranks, ascending
  int per_node = 1;          // members in the server of the first member
};

struct ChakraGroups {
  std::vector<ChakraGroup> groups;
  // Per rank: COMM_COLL node id -> index into `groups`.
  std::vector<std::unordered_map<uint64_t, int>> of_node;
};

// Resolves every COMM_COLL node's group on servers of `devices_per_node` ranks, with
// `servers_per_leaf` servers under each leaf switch (0: all of them under one). Throws
// InputError (file, rank, node id) when a member of a group runs a different number of its
// collectives than the others, which would leave the group waiting forever.
ChakraGroups resolve_chakra_groups(const std::vector<ChakraTrace>& traces, int devices_per_node,
                                   int servers_per_leaf = 0);

}  // namespace kcsim

// Chakra's collective types (a COMM_COLL_NODE's comm_type) against kcsim's collectives, both
// ways in one place, so that what the exporter writes is what the replay reads back.
#pragma once

#include <cstdint>

#include "sim/cost/collectives.hpp"

namespace kcsim {

// The comm_type a collective is written with (SendRecv, which Chakra writes as send and receive
// nodes instead, falls back to ALL_REDUCE).
int64_t chakra_comm_type(Collective kind);

// The collective a comm_type is replayed as: GATHER as an all-gather, SCATTER and
// REDUCE_SCATTER_BLOCK as a reduce-scatter, REDUCE, BARRIER and anything unknown as an
// all-reduce (a barrier carries no bytes).
Collective collective_of_chakra(int64_t comm_type);

}  // namespace kcsim

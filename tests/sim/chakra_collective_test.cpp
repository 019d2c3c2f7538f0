// The Chakra collective types, both ways: what the exporter writes, the replay reads back as the
// same collective, and the types only other tools write land on their nearest kind.
#include <catch2/catch_test_macros.hpp>

#include "sim/cost/chakra_collective.hpp"
#include "workloads/chakra_trace.hpp"

using namespace kcsim;

TEST_CASE("every collective the exporter writes replays as itself") {
  for (Collective kind : {Collective::AllReduce, Collective::ReduceScatter, Collective::AllGather,
                          Collective::AllToAll, Collective::Broadcast}) {
    INFO(collective_name(kind));
    CHECK(collective_of_chakra(chakra_comm_type(kind)) == kind);
  }
  CHECK(chakra_comm_type(Collective::AllGather) == chakra::ALL_GATHER);
  CHECK(chakra_comm_type(Collective::ReduceScatter) == chakra::REDUCE_SCATTER);
}

TEST_CASE("Chakra types kcsim does not write replay as their nearest collective") {
  CHECK(collective_of_chakra(chakra::GATHER) == Collective::AllGather);
  CHECK(collective_of_chakra(chakra::SCATTER) == Collective::ReduceScatter);
  CHECK(collective_of_chakra(chakra::REDUCE_SCATTER_BLOCK) == Collective::ReduceScatter);
  CHECK(collective_of_chakra(chakra::REDUCE) == Collective::AllReduce);
  CHECK(collective_of_chakra(chakra::BARRIER) == Collective::AllReduce);
}

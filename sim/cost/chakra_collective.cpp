#include "sim/cost/chakra_collective.hpp"

#include "workloads/chakra_trace.hpp"

namespace kcsim {

int64_t chakra_comm_type(Collective kind) {
  switch (kind) {
    case Collective::AllGather:
      return chakra::ALL_GATHER;
    case Collective::ReduceScatter:
      return chakra::REDUCE_SCATTER;
    case Collective::AllToAll:
      return chakra::ALL_TO_ALL;
    case Collective::Broadcast:
      return chakra::BROADCAST;
    default:
      return chakra::ALL_REDUCE;
  }
}

Collective collective_of_chakra(int64_t comm_type) {
  switch (comm_type) {
    case chakra::ALL_GATHER:
    case chakra::GATHER:
      return Collective::AllGather;
    case chakra::REDUCE_SCATTER:
    case chakra::REDUCE_SCATTER_BLOCK:
    case chakra::SCATTER:
      return Collective::ReduceScatter;
    case chakra::ALL_TO_ALL:
      return Collective::AllToAll;
    case chakra::BROADCAST:
      return Collective::Broadcast;
    default:
      return Collective::AllReduce;
  }
}

}  // namespace kcsim

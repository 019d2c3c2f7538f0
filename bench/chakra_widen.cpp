// Writes a Chakra workload at a larger rank count: rank 0's graph of an existing trace, copied to
// every rank of PREFIX_OUT.0.et ... PREFIX_OUT.(RANKS-1).et with kcsim's Chakra writer. For
// data-parallel traces (every rank the same graph, collectives over all ranks) this is the same
// workload on more devices; bench/chakra_scale.sh replays it at growing scale.
//   kcsim_chakra_widen SAMPLE_PREFIX RANKS OUT_PREFIX
#include <cstdio>
#include <string>

#include "configs/loader/errors.hpp"
#include "workloads/chakra_trace.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: kcsim_chakra_widen SAMPLE_PREFIX RANKS OUT_PREFIX\n");
    return 2;
  }
  try {
    auto sample = kcsim::read_chakra_file(std::string(argv[1]) + ".0.et", 0);
    int ranks = std::stoi(argv[2]);
    for (int rank = 0; rank < ranks; ++rank) {
      kcsim::write_chakra_file(std::string(argv[3]) + "." + std::to_string(rank) + ".et",
                               sample.metadata, sample.nodes);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kcsim_chakra_widen: %s\n", e.what());
    return 2;
  }
  return 0;
}

// The MPI calls of a sweep (mpi_points.hpp; sim/sweep/mpi/), as one table of entry points. The
// kcsim command loads them as a module when a sweep runs under mpirun, so that other calls do not
// load Open MPI; tests and benchmarks link them in.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace kcsim::sweep::mpi {

struct Runtime {
  // MPI_Init, then this process's rank and the number of ranks.
  void (*init)(int* rank, int* size);
  void (*finalize)();
  // run_points (mpi_points.hpp) on this rank of `size`.
  std::vector<std::string> (*run_points)(int rank, int size,
                                         const std::function<std::vector<size_t>()>& decide,
                                         const std::function<std::string(size_t)>& work,
                                         bool* aborted);
};

// The table this program reaches: linked in, or the module loaded on the first call. A module
// that cannot be loaded is a std::runtime_error naming its path.
const Runtime& runtime();

}  // namespace kcsim::sweep::mpi

// The table (sim/sweep/mpi/mpi_runs.cpp): the one symbol the module is looked up by.
extern "C" const kcsim::sweep::mpi::Runtime* kcsim_mpi_runtime();

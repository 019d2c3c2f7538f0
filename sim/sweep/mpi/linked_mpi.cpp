// runtime() where the MPI side of a sweep is linked into the program (tests, benchmarks); without
// MPI (KCSIM_MPI off) there is none, and mpi_points.cpp never asks for it.
#include <stdexcept>

#include "sim/sweep/mpi_runtime.hpp"

namespace kcsim::sweep::mpi {

const Runtime& runtime() {
#ifdef KCSIM_MPI
  return *kcsim_mpi_runtime();
#else
  throw std::runtime_error("kcsim was built without MPI");
#endif
}

}  // namespace kcsim::sweep::mpi

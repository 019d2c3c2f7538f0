#include "sim/sweep/mpi_points.hpp"

#include <cstdlib>
#include <stdexcept>

#include "sim/sweep/mpi_runtime.hpp"

namespace kcsim::sweep::mpi {

bool launched() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

bool built_in() {
#ifdef KCSIM_MPI
  return true;
#else
  return false;
#endif
}

Session::Session() {
  if (!built_in()) throw std::runtime_error("kcsim was built without MPI");
  runtime().init(&rank_, &size_);
}

Session::~Session() { runtime().finalize(); }

std::vector<std::string> run_points(const Session& session,
                                    const std::function<std::vector<size_t>()>& decide,
                                    const std::function<std::string(size_t)>& work, bool* aborted) {
  return runtime().run_points(session.rank(), session.size(), decide, work, aborted);
}

}  // namespace kcsim::sweep::mpi

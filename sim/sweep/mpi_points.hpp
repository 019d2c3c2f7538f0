// Sweep points spread over the ranks of an MPI job (`mpirun -np K kcsim sweep ...`).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace kcsim::sweep::mpi {

// Whether this process was started by an MPI launcher (Open MPI's mpirun, or PMIx).
bool launched();
// Whether this kcsim was built with MPI (CMake option KCSIM_MPI).
bool built_in();

// MPI_Init on construction, MPI_Finalize on destruction.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

// Called on every rank. Rank 0's `decide()` gives the pending points (or throws, which every
// rank then sees as an empty list and rank 0 rethrows); rank r runs every K-th of them from
// r with `work`, and rank 0 gets every record back, in pending order. Other ranks get none.
std::vector<std::string> run_points(const Session& session,
                                    const std::function<std::vector<size_t>()>& decide,
                                    const std::function<std::string(size_t)>& work, bool* aborted);

}  // namespace kcsim::sweep::mpi

#include "sim/sweep/mpi_points.hpp"

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <stdexcept>

#ifdef KCSIM_MPI
#include <mpi.h>
#endif

namespace kcsim::sweep::mpi {

bool launched() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

#ifdef KCSIM_MPI

bool built_in() { return true; }

Session::Session() {
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() { MPI_Finalize(); }

std::vector<std::string> run_points(const Session& session,
                                    const std::function<std::vector<size_t>()>& decide,
                                    const std::function<std::string(size_t)>& work, bool* aborted) {
  std::vector<uint64_t> pending;
  std::exception_ptr error;
  int64_t count = 0;
  if (session.rank() == 0) {
    try {
      for (size_t index : decide()) pending.push_back(index);
      count = static_cast<int64_t>(pending.size());
    } catch (...) {
      error = std::current_exception();
      count = -1;
    }
  }
  MPI_Bcast(&count, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  *aborted = count < 0;
  if (count < 0) {
    if (error) std::rethrow_exception(error);
    return {};
  }
  pending.resize(static_cast<size_t>(count));
  MPI_Bcast(pending.data(), static_cast<int>(count), MPI_UINT64_T, 0, MPI_COMM_WORLD);

  // Mine: every size-th pending point from my rank, as lines.
  std::string mine;
  for (size_t k = static_cast<size_t>(session.rank()); k < pending.size();
       k += static_cast<size_t>(session.size())) {
    mine += work(static_cast<size_t>(pending[k]));
    mine += '\n';
  }
  if (mine.size() > static_cast<size_t>(INT32_MAX)) {
    throw std::runtime_error("a rank's results exceed 2 GiB; use more ranks");
  }
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<size_t>(session.size()));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size(), 0);
  std::string all;
  if (session.rank() == 0) {
    long long total = 0;
    for (size_t r = 0; r < lengths.size(); ++r) {
      offsets[r] = static_cast<int>(total);
      total += lengths[r];
    }
    if (total > INT32_MAX) throw std::runtime_error("the results exceed 2 GiB; split the sweep");
    all.resize(static_cast<size_t>(total));
  }
  MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  if (session.rank() != 0) return {};
  // Rank r's lines are pending[r], pending[r + size], ...: put them back in pending order.
  std::vector<std::vector<std::string>> per_rank(lengths.size());
  for (size_t r = 0; r < lengths.size(); ++r) {
    size_t at = static_cast<size_t>(offsets[r]), end = at + static_cast<size_t>(lengths[r]);
    while (at < end) {
      size_t newline = all.find('\n', at);
      per_rank[r].push_back(all.substr(at, newline - at));
      at = newline + 1;
    }
  }
  std::vector<std::string> records;
  records.reserve(pending.size());
  for (size_t k = 0; k < pending.size(); ++k) {
    records.push_back(std::move(per_rank[k % lengths.size()][k / lengths.size()]));
  }
  return records;
}

#else

bool built_in() { return false; }
Session::Session() { throw std::runtime_error("kcsim was built without MPI"); }
Session::~Session() = default;
std::vector<std::string> run_points(const Session&, const std::function<std::vector<size_t>()>&,
                                    const std::function<std::string(size_t)>&, bool*) {
  throw std::runtime_error("kcsim was built without MPI");
}

#endif

}  // namespace kcsim::sweep::mpi

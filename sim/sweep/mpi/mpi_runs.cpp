// The MPI side of a sweep (mpi_points.hpp), exported as the table of sim/sweep/mpi_runtime.hpp.
#include <mpi.h>

#include <cstdint>
#include <exception>
#include <stdexcept>

#include "sim/sweep/mpi_runtime.hpp"

namespace kcsim::sweep::mpi {
namespace {

void init(int* rank, int* size) {
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
}

void finalize() { MPI_Finalize(); }

std::vector<std::string> run_points(int rank, int size,
                                    const std::function<std::vector<size_t>()>& decide,
                                    const std::function<std::string(size_t)>& work, bool* aborted) {
  std::vector<uint64_t> pending;
  std::exception_ptr error;
  int64_t count = 0;
  if (rank == 0) {
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
  for (size_t k = static_cast<size_t>(rank); k < pending.size(); k += static_cast<size_t>(size)) {
    mine += work(static_cast<size_t>(pending[k]));
    mine += '\n';
  }
  if (mine.size() > static_cast<size_t>(INT32_MAX)) {
    throw std::runtime_error("a rank's results exceed 2 GiB; use more ranks");
  }
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<size_t>(size));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size(), 0);
  std::string all;
  if (rank == 0) {
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
  if (rank != 0) return {};
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

constexpr Runtime kRuntime{init, finalize, run_points};

}  // namespace
}  // namespace kcsim::sweep::mpi

extern "C" const kcsim::sweep::mpi::Runtime* kcsim_mpi_runtime() {
  return &kcsim::sweep::mpi::kRuntime;
}

// A whole sweep: the points not yet done run (in forked workers, or spread over MPI ranks under
// mpirun), each finished point goes to the journal, and the HDF5 file (and CSV) is rebuilt from
// every record, in point order: before the first point, as points finish, and at the end.
// Points an earlier run left are kept only when their inputs are unchanged (resume.hpp), and
// every output path is checked before anything is written (configs/loader/output_files.hpp).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "configs/loader/catalog.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace kcsim::sweep {

struct SweepOptions {
  std::filesystem::path out;  // the HDF5 file; its journal is OUT.journal
  std::filesystem::path csv;  // also a flat CSV when set
  int jobs = 1;
  double timeout_s = 0;  // per point; 0: none
  bool resume = true;    // skip points the journal or the output already hold
  bool progress = true;
  // The output is written before the first point and rebuilt as points finish, at most this
  // often (and less often when a rebuild is slow: see OutputPacer).
  double rewrite_every_s = 1;
};

struct SweepSummary {
  bool root = true;  // false on MPI ranks other than 0, which write nothing
  size_t points = 0, rows = 0;
  size_t resumed = 0;     // points kept from an earlier run
  size_t recomputed = 0;  // points of an earlier run computed again: their inputs changed
  size_t ok = 0, infeasible = 0, invalid = 0, failed = 0;  // rows by status
  int ranks = 1;
  double seconds = 0;
};

SweepSummary run_sweep(const SweepPlan& plan, const config::Catalog& catalog,
                       const SweepOptions& options);

}  // namespace kcsim::sweep

// Runs sweep points in forked worker processes: a SimGrid engine is one per process, and a
// point that crashes or hangs takes down its worker only. The parent hands out small batches
// of point indices over a pipe and reads one record line per finished point back.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace kcsim::sweep {

struct WorkerPoolOptions {
  int jobs = 1;
  double timeout_s = 0;  // per point; 0: none
};

// Runs `work(i)` for every i in `pending` and calls `done(i, record)` in this process as each
// finishes, in the order they finish. A point whose worker dies or runs past the timeout is
// done with `failed(i, why)`; a fresh worker takes the rest. `work` must return one line.
void run_in_workers(const std::vector<size_t>& pending, const WorkerPoolOptions& options,
                    const std::function<std::string(size_t)>& work,
                    const std::function<std::string(size_t, const std::string&)>& failed,
                    const std::function<void(size_t, std::string)>& done);

}  // namespace kcsim::sweep

// Runs sweep points in forked worker processes: a SimGrid engine is one per process, and a
// point that crashes or hangs takes down its worker only. The parent hands out batches of point
// indices over a pipe and reads one record line per finished point back.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kcsim::sweep {

struct WorkerPoolOptions {
  int jobs = 1;
  double timeout_s = 0;  // per point; 0: none
};

// The workers of a sweep, started before its points are known. A worker (and every event-engine
// run it forks) starts as a copy of this process: started before a resumed sweep reads its
// earlier records, the workers do not inherit that heap, which each of their processes would
// otherwise copy page by page as its allocator walks it.
class WorkerPool {
 public:
  // Starts `options.jobs` workers.
  WorkerPool(const WorkerPoolOptions& options, std::function<std::string(size_t)> work,
             std::function<std::string(size_t, const std::string&)> failed);
  ~WorkerPool();  // stops the workers
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs every point of `pending` as run_in_workers() does.
  void run(const std::vector<size_t>& pending,
           const std::function<void(size_t, std::string)>& done);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs `work(i)` for every i in `pending` and calls `done(i, record)` in this process as each
// finishes, in the order they finish. A point whose worker dies or runs past the timeout is
// done with `failed(i, why)`; a fresh worker takes the rest. `work` must return one line.
// The timeout holds for every point with any number of jobs: it counts from when the point
// began in its worker to when it finished there (however late this process reads it), a point
// past it is failed even if it finished, and a worker killed at it takes the processes it
// started with it (an event-engine run's, which die with their parent).
void run_in_workers(const std::vector<size_t>& pending, const WorkerPoolOptions& options,
                    const std::function<std::string(size_t)>& work,
                    const std::function<std::string(size_t, const std::string&)>& failed,
                    const std::function<void(size_t, std::string)>& done);

}  // namespace kcsim::sweep

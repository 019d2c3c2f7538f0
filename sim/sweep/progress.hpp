// How far a sweep has got, on stderr: a bar with rate and ETA redrawn in place on a terminal,
// a plain line every few seconds otherwise (logs, CI); and to the progress listener, if one is set
// (configs/loader/run_control.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>

#include "configs/loader/run_control.hpp"

namespace kcsim::sweep {

class Progress {
 public:
  // `total` points, of which `already` were done before this run started; redrawn at most every
  // `every_s` seconds (negative: 0.1 s on a terminal, 5 s otherwise).
  Progress(size_t total, size_t already, bool enabled, std::FILE* out = stderr,
           double every_s = -1);
  void update(size_t done);
  void finish(size_t done);

 private:
  void draw(size_t done, bool final);
  void tell_listener(size_t done, bool final);
  // Points done, rate and elapsed time at `now`.
  ProgressReport report_at(size_t done, std::chrono::steady_clock::time_point now) const;

  size_t total_, already_;
  bool enabled_, terminal_;
  std::FILE* out_;
  double every_;
  std::chrono::steady_clock::time_point start_, last_, told_;
};

}  // namespace kcsim::sweep

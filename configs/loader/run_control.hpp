// How whoever started a long run steers it from outside: asks it to stop (Ctrl-C at a terminal
// or in a notebook) and listens to how far it has got. Both are process-wide: one command runs
// at a time in a process, and a signal handler can only reach a global.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>

namespace kcsim {

// A run stopped because it was asked to: exit code 130 (128 + SIGINT), as a shell reports a
// command Ctrl-C stopped. What it was writing is either whole or not there (DESIGN.md).
class InterruptedError : public std::runtime_error {
 public:
  InterruptedError() : std::runtime_error("interrupted") {}
};

// Asks the run in progress to stop at its next check. Safe in a signal handler.
void request_interrupt() noexcept;
// Whether a stop was asked for and not yet cleared. Safe in a signal handler.
bool interrupt_requested() noexcept;
// Forgets an earlier request, before a new run starts.
void clear_interrupt() noexcept;
// Throws InterruptedError when a stop was asked for. Long loops call it between units of
// work (a sweep point, an event-engine run, a plan candidate).
void throw_if_interrupted();

// How far a run of countable steps (a sweep's points) has got.
struct ProgressReport {
  size_t done = 0;        // steps finished, those of an earlier run resumed included
  size_t total = 0;       // steps in the whole run
  double rate_per_s = 0;  // steps this run finished per second of its wall time
  double elapsed_s = 0;   // wall time since this run started
};
using ProgressListener = std::function<void(const ProgressReport&)>;

// The listener told of every report while it is set, in the thread that runs the work; an
// empty function removes it. A listener that throws stops the run with what it threw.
void set_progress_listener(ProgressListener listener);
// Tells the listener, if any.
void report_progress(const ProgressReport& report);
bool has_progress_listener();

}  // namespace kcsim

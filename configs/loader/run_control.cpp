#include "configs/loader/run_control.hpp"

#include <atomic>
#include <utility>

namespace kcsim {
namespace {

// Lock-free, so that a signal handler may set it.
std::atomic<bool> interrupt_flag{false};
static_assert(std::atomic<bool>::is_always_lock_free);

ProgressListener& listener() {
  static ProgressListener instance;
  return instance;
}

}  // namespace

void request_interrupt() noexcept { interrupt_flag.store(true, std::memory_order_relaxed); }

bool interrupt_requested() noexcept { return interrupt_flag.load(std::memory_order_relaxed); }

void clear_interrupt() noexcept { interrupt_flag.store(false, std::memory_order_relaxed); }

void throw_if_interrupted() {
  if (interrupt_requested()) throw InterruptedError();
}

void set_progress_listener(ProgressListener new_listener) { listener() = std::move(new_listener); }

void report_progress(const ProgressReport& report) {
  if (listener()) listener()(report);
}

bool has_progress_listener() { return static_cast<bool>(listener()); }

}  // namespace kcsim

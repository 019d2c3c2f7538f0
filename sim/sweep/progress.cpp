#include "sim/sweep/progress.hpp"

#include <unistd.h>

#include <string>

#include <fmt/format.h>

namespace kcsim::sweep {
namespace {

using Clock = std::chrono::steady_clock;

std::string clock_text(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

}  // namespace

Progress::Progress(size_t total, size_t already, bool enabled, std::FILE* out, double every_s)
    : total_(total),
      already_(already),
      enabled_(enabled),
      terminal_(::isatty(::fileno(out)) != 0),
      out_(out),
      every_(every_s >= 0 ? every_s
             : terminal_  ? 0.1
                          : 5.0),
      start_(Clock::now()),
      last_(start_) {
  tell_listener(already, false);
}

// A listener (run_control.hpp) hears at most ten reports a second, and always the last.
void Progress::tell_listener(size_t done, bool final) {
  if (!has_progress_listener()) return;
  auto now = Clock::now();
  if (!final && std::chrono::duration<double>(now - told_).count() < 0.1) return;
  told_ = now;
  report_progress(report_at(done, now));
}

ProgressReport Progress::report_at(size_t done, Clock::time_point now) const {
  double elapsed = std::chrono::duration<double>(now - start_).count();
  size_t ran = done > already_ ? done - already_ : 0;
  return {done, total_, elapsed > 0 ? static_cast<double>(ran) / elapsed : 0, elapsed};
}

void Progress::update(size_t done) {
  tell_listener(done, false);
  if (!enabled_) return;
  auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_).count() < every_) return;
  last_ = now;
  draw(done, false);
}

void Progress::finish(size_t done) {
  tell_listener(done, true);
  if (enabled_) draw(done, true);
}

void Progress::draw(size_t done, bool final) {
  const ProgressReport report = report_at(done, Clock::now());
  const double elapsed = report.elapsed_s, rate = report.rate_per_s;
  double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  double share = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1;
  std::string counts =
      fmt::format("{}/{} points ({:.1f} %), {:.0f} points/s", done, total_, 100 * share, rate);
  if (terminal_) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(share * kWidth);
    std::string bar = std::string(static_cast<size_t>(filled), '#') +
                      std::string(static_cast<size_t>(kWidth - filled), '.');
    std::string tail =
        final ? fmt::format("in {}", clock_text(elapsed)) : fmt::format("ETA {}", clock_text(eta));
    fmt::print(out_, "\rsweep [{}] {}, {}\x1b[K{}", bar, counts, tail, final ? "\n" : "");
  } else if (final) {
    fmt::print(out_, "sweep: {}, done in {:.1f} s\n", counts, elapsed);
  } else {
    fmt::print(out_, "sweep: {}, ETA {}\n", counts, clock_text(eta));
  }
  std::fflush(out_);
}

}  // namespace kcsim::sweep

#include "sim/sweep/worker_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "configs/loader/run_control.hpp"

namespace kcsim::sweep {
namespace {

using Clock = std::chrono::steady_clock;

struct Worker {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;
  std::deque<size_t> assigned;  // the first is running
  Clock::time_point started;    // when the first began
  std::string buffer;           // bytes read past the last whole line
};

bool write_all(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

// Nanoseconds on the monotonic clock, which every process on the machine shares.
int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// The child: reads lines of indices, writes a line per index, until its input closes. Each line
// is the time the point finished (when the next one began) and its record: "NS RECORD".
[[noreturn]] void worker_main(int in, int out, const std::function<std::string(size_t)>& work) {
  FILE* input = ::fdopen(in, "r");
  char* line = nullptr;
  size_t capacity = 0;
  while (input && ::getline(&line, &capacity, input) > 0) {
    const char* p = line;
    char* end = nullptr;
    while (true) {
      unsigned long long index = std::strtoull(p, &end, 10);
      if (end == p) break;
      p = end;
      std::string record = work(static_cast<size_t>(index));
      if (!write_all(out, fmt::format("{} {}\n", now_ns(), record))) ::_exit(1);
    }
  }
  ::_exit(0);
}

std::string death_reason(int status) {
  if (WIFSIGNALED(status)) {
    int signal = WTERMSIG(status);
    return fmt::format("the worker process died of signal {} ({})", signal, ::strsignal(signal));
  }
  if (WIFEXITED(status)) {
    return fmt::format("the worker process exited with code {}", WEXITSTATUS(status));
  }
  return "the worker process stopped";
}

}  // namespace

// The workers, their queue and their clocks; WorkerPool's state.
class WorkerPool::Impl {
 public:
  Impl(const WorkerPoolOptions& options, std::function<std::string(size_t)> work,
       std::function<std::string(size_t, const std::string&)> failed)
      : options_(options), work_(std::move(work)), failed_(std::move(failed)) {
    // A worker that dies while this process writes to it must not kill this process.
    previous_sigpipe_ = ::signal(SIGPIPE, SIG_IGN);
    workers_.resize(static_cast<size_t>(std::max(1, options_.jobs)));
    for (auto& worker : workers_) start(worker);
  }
  ~Impl() {
    for (auto& worker : workers_) stop(worker);
    ::signal(SIGPIPE, previous_sigpipe_);
  }

  void run(const std::vector<size_t>& pending,
           const std::function<void(size_t, std::string)>& done) {
    done_ = &done;
    queue_.assign(pending.begin(), pending.end());
    for (auto& worker : workers_) {
      if (worker.pid < 0 && !queue_.empty()) start(worker);
    }
    while (busy()) {
      for (auto& worker : workers_) feed(worker);
      wait_and_read();
      // Asked to stop: what the workers finished has been read, and what they run is dropped.
      if (interrupt_requested()) {
        for (auto& worker : workers_) kill_worker(worker);
        throw InterruptedError();
      }
      check_timeouts();
    }
    done_ = nullptr;
  }

 private:
  bool busy() const {
    if (!queue_.empty()) return true;
    return std::any_of(workers_.begin(), workers_.end(),
                       [](const Worker& w) { return !w.assigned.empty(); });
  }

  void start(Worker& worker) {
    int down[2], up[2];
    if (::pipe2(down, O_CLOEXEC) != 0 || ::pipe2(up, O_CLOEXEC) != 0) {
      throw std::runtime_error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    std::fflush(nullptr);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(fmt::format("cannot fork: {}", std::strerror(errno)));
    if (pid == 0) {
      // The worker dies with the sweep, whatever kills it; the processes it starts (an event
      // engine run each) die with the worker in turn (run_isolated).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);  // the sweep died before the line above
      ::close(down[1]);
      ::close(up[0]);
      for (auto& other : workers_) {
        if (other.to_child >= 0) ::close(other.to_child);
        if (other.from_child >= 0) ::close(other.from_child);
      }
      // A crash ends this worker as a crash, not in whatever handler the parent installed.
      for (int signal : {SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM}) {
        ::signal(signal, SIG_DFL);
      }
      // Ctrl-C reaches the whole process group: the sweep decides, and stops its workers.
      ::signal(SIGINT, SIG_IGN);
      worker_main(down[0], up[1], work_);
    }
    ::close(down[0]);
    ::close(up[1]);
    worker.pid = pid;
    worker.to_child = down[1];
    worker.from_child = up[0];
    worker.buffer.clear();
    worker.assigned.clear();
  }

  void kill_worker(Worker& worker) {
    if (worker.pid < 0) return;
    ::kill(worker.pid, SIGKILL);
    stop(worker);
  }

  void stop(Worker& worker) {
    if (worker.pid < 0) return;
    ::close(worker.to_child);
    ::close(worker.from_child);
    int status = 0;
    ::waitpid(worker.pid, &status, 0);
    worker = Worker{};
  }

  // A batch is as many points as take about kBatchSeconds by the points done so far (one
  // until a point is done), at most 32 and at most an eighth of each worker's fair share of
  // what is left: fast points go without a round trip each, and slow ones go one at a time,
  // so no worker sits idle while another works through a batch of them.
  void feed(Worker& worker) {
    if (worker.pid < 0 || !worker.assigned.empty() || queue_.empty()) return;
    constexpr double kBatchSeconds = 0.02;
    size_t share = queue_.size() / (workers_.size() * 8);
    size_t batch = std::clamp<size_t>(share, 1, 32);
    if (point_s_ < 0) {
      batch = 1;
    } else if (point_s_ > 0) {
      batch = std::clamp<size_t>(static_cast<size_t>(kBatchSeconds / point_s_), 1, batch);
    }
    std::string line;
    for (size_t i = 0; i < batch && !queue_.empty(); ++i) {
      worker.assigned.push_back(queue_.front());
      queue_.pop_front();
      line += fmt::format("{} ", worker.assigned.back());
    }
    line += "\n";
    worker.started = Clock::now();
    if (!write_all(worker.to_child, line)) {
      // It died; reading its end of the pipe says how.
    }
  }

  std::string timed_out() const { return fmt::format("timed out after {} s", options_.timeout_s); }

  // When the running point of `worker` must be done by.
  Clock::time_point deadline(const Worker& worker) const {
    return worker.started + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(options_.timeout_s));
  }

  // Waits until a worker has something to say or the next deadline comes (at most 200 ms).
  void wait_and_read() {
    std::vector<pollfd> fds;
    auto wake = Clock::now() + std::chrono::milliseconds(200);
    for (auto& worker : workers_) {
      if (worker.pid < 0) continue;
      fds.push_back({worker.from_child, POLLIN, 0});
      if (options_.timeout_s > 0 && !worker.assigned.empty()) {
        wake = std::min(wake, deadline(worker));
      }
    }
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()).count();
    ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait)));
    for (auto& worker : workers_) read_from(worker);
  }

  // Reads all the worker has written so far; a worker that is gone is lost.
  void read_from(Worker& worker) {
    if (worker.pid >= 0 && !read_lines(worker)) lost(worker, "");
  }

  // Reads what the worker has written so far: each whole line finishes its running point, and
  // the next one's clock starts when the worker finished it (not when this process reads it).
  // False when the worker's end of the pipe is closed (it exited or died).
  bool read_lines(Worker& worker) {
    while (true) {
      pollfd probe{worker.from_child, POLLIN, 0};
      if (::poll(&probe, 1, 0) <= 0) return true;
      char chunk[65536];
      ssize_t n = ::read(worker.from_child, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      worker.buffer.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t newline; (newline = worker.buffer.find('\n', start)) != std::string::npos;
           start = newline + 1) {
        if (worker.assigned.empty()) break;
        std::string_view line(worker.buffer.data() + start, newline - start);
        finish(worker, line);
      }
      worker.buffer.erase(0, start);
    }
  }

  // The running point of `worker` is done: `line` is "NS RECORD".
  void finish(Worker& worker, std::string_view line) {
    size_t space = line.find(' ');
    int64_t finished_ns = 0;
    if (space != std::string_view::npos) {
      std::from_chars(line.data(), line.data() + space, finished_ns);
      line.remove_prefix(space + 1);
    }
    size_t index = worker.assigned.front();
    worker.assigned.pop_front();
    auto finished =
        finished_ns > 0 ? Clock::time_point(std::chrono::nanoseconds(finished_ns)) : Clock::now();
    double took = std::max(0.0, std::chrono::duration<double>(finished - worker.started).count());
    point_s_ = point_s_ < 0 ? took : 0.8 * point_s_ + 0.2 * took;
    // A point that ran past its limit failed, even when this process was too busy to stop it
    // in time: whether it failed never depends on how fast its record was read.
    bool late = options_.timeout_s > 0 && finished > deadline(worker);
    worker.started = finished;
    (*done_)(index, late ? failed_(index, timed_out()) : std::string(line));
  }

  void check_timeouts() {
    if (options_.timeout_s <= 0) return;
    for (auto& worker : workers_) {
      if (worker.pid < 0 || worker.assigned.empty()) continue;
      if (Clock::now() < deadline(worker)) continue;
      // A point that finished in time but is not read yet is not the one over its limit.
      read_from(worker);
      if (worker.pid < 0 || worker.assigned.empty() || Clock::now() < deadline(worker)) continue;
      ::kill(worker.pid, SIGKILL);
      // Lines it wrote before the kill are in the pipe: those points are done.
      read_lines(worker);
      lost(worker, timed_out());
    }
  }

  // The worker is gone (or killed): its running point failed, the rest of its batch goes back.
  void lost(Worker& worker, const std::string& why) {
    ::close(worker.to_child);
    ::close(worker.from_child);
    int status = 0;
    ::waitpid(worker.pid, &status, 0);
    std::deque<size_t> assigned = std::move(worker.assigned);
    worker = Worker{};
    if (!assigned.empty()) {
      size_t index = assigned.front();
      assigned.pop_front();
      (*done_)(index, failed_(index, why.empty() ? death_reason(status) : why));
      queue_.insert(queue_.begin(), assigned.begin(), assigned.end());
    }
    if (!queue_.empty()) start(worker);
  }

  WorkerPoolOptions options_;
  std::function<std::string(size_t)> work_;
  std::function<std::string(size_t, const std::string&)> failed_;
  const std::function<void(size_t, std::string)>* done_ = nullptr;
  std::deque<size_t> queue_;
  std::vector<Worker> workers_;
  double point_s_ = -1;  // seconds a point takes, averaged over the latest; -1: none done yet
  void (*previous_sigpipe_)(int) = SIG_DFL;
};

WorkerPool::WorkerPool(const WorkerPoolOptions& options, std::function<std::string(size_t)> work,
                       std::function<std::string(size_t, const std::string&)> failed)
    : impl_(std::make_unique<Impl>(options, std::move(work), std::move(failed))) {}

WorkerPool::~WorkerPool() = default;

void WorkerPool::run(const std::vector<size_t>& pending,
                     const std::function<void(size_t, std::string)>& done) {
  if (!pending.empty()) impl_->run(pending, done);
}

void run_in_workers(const std::vector<size_t>& pending, const WorkerPoolOptions& options,
                    const std::function<std::string(size_t)>& work,
                    const std::function<std::string(size_t, const std::string&)>& failed,
                    const std::function<void(size_t, std::string)>& done) {
  if (pending.empty()) return;
  WorkerPoolOptions sized = options;
  sized.jobs = static_cast<int>(std::min<size_t>(std::max(1, options.jobs), pending.size()));
  WorkerPool(sized, work, failed).run(pending, done);
}

}  // namespace kcsim::sweep

#include "sim/sweep/worker_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <stdexcept>

#include <fmt/format.h>

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

// The child: reads lines of indices, writes a record line per index, until its input closes.
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
      std::string record = work(static_cast<size_t>(index)) + "\n";
      if (!write_all(out, record)) ::_exit(1);
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

class Pool {
 public:
  Pool(const std::vector<size_t>& pending, const WorkerPoolOptions& options,
       const std::function<std::string(size_t)>& work,
       const std::function<std::string(size_t, const std::string&)>& failed,
       const std::function<void(size_t, std::string)>& done)
      : queue_(pending.begin(), pending.end()),
        options_(options),
        work_(work),
        failed_(failed),
        done_(done) {}

  void run() {
    int jobs = std::max(1, options_.jobs);
    workers_.resize(
        static_cast<size_t>(std::min<size_t>(jobs, std::max<size_t>(queue_.size(), 1))));
    for (auto& worker : workers_) start(worker);
    while (busy()) {
      for (auto& worker : workers_) feed(worker);
      wait_and_read();
      check_timeouts();
    }
    for (auto& worker : workers_) stop(worker);
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
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(fmt::format("cannot fork: {}", std::strerror(errno)));
    if (pid == 0) {
      ::close(down[1]);
      ::close(up[0]);
      for (auto& other : workers_) {
        if (other.to_child >= 0) ::close(other.to_child);
        if (other.from_child >= 0) ::close(other.from_child);
      }
      // A crash ends this worker as a crash, not in whatever handler the parent installed.
      for (int signal : {SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGINT}) {
        ::signal(signal, SIG_DFL);
      }
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

  void stop(Worker& worker) {
    if (worker.pid < 0) return;
    ::close(worker.to_child);
    ::close(worker.from_child);
    int status = 0;
    ::waitpid(worker.pid, &status, 0);
    worker = Worker{};
  }

  // Small batches keep every worker busy without a round trip per point; a batch is at most
  // an eighth of each worker's fair share, so the ends of a sweep stay balanced.
  void feed(Worker& worker) {
    if (worker.pid < 0 || !worker.assigned.empty() || queue_.empty()) return;
    size_t share = queue_.size() / (workers_.size() * 8);
    size_t batch = std::clamp<size_t>(share, 1, 32);
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

  void wait_and_read() {
    std::vector<pollfd> fds;
    for (auto& worker : workers_) {
      if (worker.pid >= 0) fds.push_back({worker.from_child, POLLIN, 0});
    }
    int timeout_ms = 200;
    ::poll(fds.data(), fds.size(), timeout_ms);
    for (auto& worker : workers_) {
      if (worker.pid < 0) continue;
      pollfd probe{worker.from_child, POLLIN, 0};
      if (::poll(&probe, 1, 0) <= 0) continue;
      char chunk[65536];
      ssize_t n = ::read(worker.from_child, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        lost(worker, "");
        continue;
      }
      worker.buffer.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t newline; (newline = worker.buffer.find('\n', start)) != std::string::npos;
           start = newline + 1) {
        if (worker.assigned.empty()) break;
        size_t index = worker.assigned.front();
        worker.assigned.pop_front();
        worker.started = Clock::now();
        done_(index, worker.buffer.substr(start, newline - start));
      }
      worker.buffer.erase(0, start);
    }
  }

  void check_timeouts() {
    if (options_.timeout_s <= 0) return;
    auto limit = std::chrono::duration<double>(options_.timeout_s);
    for (auto& worker : workers_) {
      if (worker.pid < 0 || worker.assigned.empty()) continue;
      if (Clock::now() - worker.started <= limit) continue;
      ::kill(worker.pid, SIGKILL);
      lost(worker, fmt::format("timed out after {} s", options_.timeout_s));
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
      done_(index, failed_(index, why.empty() ? death_reason(status) : why));
      queue_.insert(queue_.begin(), assigned.begin(), assigned.end());
    }
    if (!queue_.empty()) start(worker);
  }

  std::deque<size_t> queue_;
  WorkerPoolOptions options_;
  const std::function<std::string(size_t)>& work_;
  const std::function<std::string(size_t, const std::string&)>& failed_;
  const std::function<void(size_t, std::string)>& done_;
  std::vector<Worker> workers_;
};

}  // namespace

void run_in_workers(const std::vector<size_t>& pending, const WorkerPoolOptions& options,
                    const std::function<std::string(size_t)>& work,
                    const std::function<std::string(size_t, const std::string&)>& failed,
                    const std::function<void(size_t, std::string)>& done) {
  if (pending.empty()) return;
  // A worker that dies while the parent writes to it must not kill the parent.
  auto previous = ::signal(SIGPIPE, SIG_IGN);
  try {
    Pool(pending, options, work, failed, done).run();
  } catch (...) {
    ::signal(SIGPIPE, previous);
    throw;
  }
  ::signal(SIGPIPE, previous);
}

}  // namespace kcsim::sweep

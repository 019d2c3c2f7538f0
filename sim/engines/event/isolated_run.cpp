#include "sim/engines/event/isolated_run.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "configs/loader/run_control.hpp"

namespace kcsim::event {

std::string run_isolated(const std::function<std::string()>& body) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Dies with the process that waits for it (a sweep worker killed at its time limit, a
    // kcsim killed by the user) instead of running on alone.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    // Ctrl-C reaches the whole process group: the waiting process decides, and ends this one.
    signal(SIGINT, SIG_IGN);
    close(fds[0]);
    std::string out;
    int code = 0;
    try {
      out = body();
    } catch (const std::exception& e) {
      out = e.what();
      code = 1;
    }
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
    _exit(code);
  }
  close(fds[1]);
  std::string result;
  char buffer[4096];
  // Waits in poll(), which a signal interrupts whatever its handler's flags, so that a stop asked
  // for (run_control.hpp) ends the run within a tenth of a second.
  constexpr int kCheckEveryMs = 100;
  while (true) {
    if (interrupt_requested()) {
      close(fds[0]);
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      throw InterruptedError();
    }
    pollfd ready{fds[0], POLLIN, 0};
    if (poll(&ready, 1, kCheckEveryMs) <= 0) continue;
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("event engine run failed: " + result);
  }
  return result;
}

Json run_isolated_json(const std::function<Json()>& body) {
  std::string bytes = run_isolated([&] {
    std::vector<std::uint8_t> cbor = Json::to_cbor(body());
    return std::string(cbor.begin(), cbor.end());
  });
  return Json::from_cbor(bytes);
}

}  // namespace kcsim::event

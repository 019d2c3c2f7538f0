// The per-point time limit holds with one worker and with several: a point whose work runs in
// a child process (as every event-engine run does) is stopped with its worker, not left running;
// and a point that ran past its limit while this process was busy elsewhere is failed, not
// recorded as if it had finished in time.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include "sim/engines/event/isolated_run.hpp"
#include "sim/sweep/worker_pool.hpp"
#include "tests/analysis/scratch_folder.hpp"

using kcsim::sweep::run_in_workers;

namespace {

using Clock = std::chrono::steady_clock;

std::map<size_t, std::string> run(size_t points, int jobs, double timeout_s,
                                  const std::function<std::string(size_t)>& work,
                                  const std::function<void(size_t)>& after = {}) {
  std::vector<size_t> pending;
  for (size_t i = 0; i < points; ++i) pending.push_back(i);
  std::map<size_t, std::string> done;
  run_in_workers(
      pending, {jobs, timeout_s}, work,
      [](size_t i, const std::string& why) { return "failed " + std::to_string(i) + ": " + why; },
      [&](size_t i, std::string record) {
        done[i] = std::move(record);
        if (after) after(i);
      });
  return done;
}

bool process_gone(pid_t pid) {
  auto until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < until) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE("a point past its limit is stopped with the process its work started",
          "[sweep][workers][timeout]") {
  int jobs = GENERATE(1, 2);
  INFO("jobs " << jobs);
  kcsim::test::ScratchFolder folder;
  auto pid_file = folder.path() / "engine.pid";
  auto start = Clock::now();
  // Point 1 runs "an engine" in a child process that never ends, as a stuck event run would.
  auto done = run(4, jobs, 0.5, [&](size_t i) -> std::string {
    if (i != 1) return "ok";
    return kcsim::event::run_isolated([&] {
      std::ofstream(pid_file) << ::getpid() << std::endl;
      ::pause();
      return std::string("never");
    });
  });
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE(done.size() == 4);
  CHECK(done[1] == "failed 1: timed out after 0.5 s");
  for (size_t i : {0, 2, 3}) CHECK(done[i] == "ok");
  CHECK(seconds < 3);
  // The engine's process did not outlive its worker.
  pid_t engine = 0;
  std::ifstream(pid_file) >> engine;
  REQUIRE(engine > 0);
  CHECK(process_gone(engine));
}

TEST_CASE("a point that ran past its limit while the sweep was busy is failed",
          "[sweep][workers][timeout]") {
  // One worker runs points 0, 1 and 2 back to back; point 2 takes 1.5 s against a 1 s limit.
  // The sweep spends a second on point 0's record and 1.5 s on point 1's (output rebuilds, say),
  // so it reads point 1's record late and point 2's, finished by then, later still: point 2
  // must not pass.
  auto done = run(
      3, 1, 1.0,
      [](size_t i) -> std::string {
        std::this_thread::sleep_for(std::chrono::milliseconds(i == 2 ? 1500 : 50));
        return "ok " + std::to_string(i);
      },
      [](size_t i) {
        if (i < 2) std::this_thread::sleep_for(std::chrono::milliseconds(i == 0 ? 1000 : 1500));
      });
  REQUIRE(done.size() == 3);
  CHECK(done[0] == "ok 0");
  CHECK(done[1] == "ok 1");
  CHECK(done[2] == "failed 2: timed out after 1 s");
}

TEST_CASE("points of one batch each get the whole limit", "[sweep][workers][timeout]") {
  // 24 points of 0.12 s on one worker come in batches of three; each is within a 0.3 s limit
  // although a batch takes longer than that.
  auto done = run(24, 1, 0.3, [](size_t) -> std::string {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    return "ok";
  });
  REQUIRE(done.size() == 24);
  for (const auto& [i, record] : done) CHECK(record == "ok");
}

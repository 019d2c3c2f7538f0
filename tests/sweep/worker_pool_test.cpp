// Worker processes: every point comes back once, whatever order they finish in; a worker that
// crashes or hangs costs its one point, recorded with the reason, and the rest complete.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "sim/sweep/worker_pool.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::sweep::run_in_workers;

namespace {

std::map<size_t, std::string> run(size_t points, int jobs, double timeout_s,
                                  const std::function<std::string(size_t)>& work) {
  std::vector<size_t> pending;
  for (size_t i = 0; i < points; ++i) pending.push_back(i);
  std::map<size_t, std::string> done;
  run_in_workers(
      pending, {jobs, timeout_s}, work,
      [](size_t i, const std::string& why) { return "failed " + std::to_string(i) + ": " + why; },
      [&](size_t i, std::string record) {
        CHECK(done.count(i) == 0);  // once only
        done[i] = std::move(record);
      });
  return done;
}

}  // namespace

TEST_CASE("every point comes back once from the workers", "[sweep][workers]") {
  auto done = run(500, 3, 0, [](size_t i) { return "r" + std::to_string(i * i); });
  REQUIRE(done.size() == 500);
  for (const auto& [i, record] : done) CHECK(record == "r" + std::to_string(i * i));
  // The work ran in other processes: this one's state is untouched by what they do.
  pid_t self = getpid();
  auto pids = run(4, 2, 0, [](size_t) { return std::to_string(getpid()); });
  for (const auto& [i, record] : pids) CHECK(record != std::to_string(self));
}

TEST_CASE("a crashing point is recorded as failed and the others complete", "[sweep][workers]") {
  auto done = run(40, 2, 0, [](size_t i) -> std::string {
    if (i == 7 || i == 30) std::abort();
    return "ok";
  });
  REQUIRE(done.size() == 40);
  CHECK_THAT(done[7], ContainsSubstring("failed 7: the worker process died of signal 6"));
  CHECK_THAT(done[30], ContainsSubstring("failed 30"));
  for (const auto& [i, record] : done) {
    if (i != 7 && i != 30) CHECK(record == "ok");
  }
}

TEST_CASE("a point past the time limit is killed and recorded", "[sweep][workers]") {
  auto done = run(6, 2, 0.3, [](size_t i) -> std::string {
    if (i == 2) pause();  // never returns
    return "ok";
  });
  REQUIRE(done.size() == 6);
  CHECK(done[2] == "failed 2: timed out after 0.3 s");
  for (const auto& [i, record] : done) {
    if (i != 2) CHECK(record == "ok");
  }
}

// `kcsim sweep` end to end: points reproduce `kcsim run` of the same scenario, a killed sweep
// resumes into the file an uninterrupted one writes, two MPI ranks write the local file, a
// point past its time limit is a failed row while the rest complete, and bad input stops
// before anything runs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <thread>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "analysis/hdf5_table.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::read_file;
using kcsim::test::run_kcsim;
using kcsim::test::ScratchFolder;

namespace {

const std::string kSmall = KCSIM_SOURCE_DIR "/tests/data/sweeps/small-training.textproto";

std::string shell_quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

size_t lines_in(const std::filesystem::path& path) {
  std::string text = read_file(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A sweep of 3,456 training points: long enough to be killed in the middle.
std::string long_sweep(const std::filesystem::path& folder) {
  auto path = folder / "long.textproto";
  std::ofstream(path) << R"(name: "long"
base {
  cluster_names: "dgx-h100"
  training { model: "llama2-7b" global_batch: 512 seq_len: 4096 plan { sequence_parallel: true } }
}
axes { field: "it_power_budget_kw" range { start: 11 stop: 88 factor: 2 } }
axes { field: "training.plan.tp" range { start: 1 stop: 8 factor: 2 } }
axes { field: "training.plan.pp" values: "1" values: "2" values: "4" }
axes { field: "training.micro_batch" values: "1" values: "2" values: "4" }
axes { field: "training.plan.recompute" values: "NONE" values: "SELECTIVE" values: "FULL" }
axes { field: "training.seq_len" range { start: 1024 stop: 8192 step: 1024 } }
axes { field: "training.global_batch" values: "512" values: "1024" values: "2048" values: "4096" }
)";
  return path.string();
}

}  // namespace

TEST_CASE("sweep points reproduce kcsim run of their scenario", "[sweep][cli]") {
  ScratchFolder folder;
  auto out = folder.path() / "small.h5";
  auto csv = folder.path() / "small.csv";
  auto result = run_kcsim("sweep " + kSmall + " --out " + shell_quoted(out) + " --csv " +
                          shell_quoted(csv) + " --jobs 2 --json");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto summary = nlohmann::json::parse(result.out);
  CHECK(summary["points"] == 16);
  CHECK(summary["ok_rows"] == 10);
  CHECK(summary["infeasible_rows"] == 6);
  CHECK_FALSE(std::filesystem::exists(out.string() + ".journal"));  // done: the file holds it all

  kcsim::SweepTable table = kcsim::read_hdf5_table(out);
  REQUIRE(table.rows == 16);
  CHECK(table.attribute("complete") == "true");
  CHECK(table.attribute("sweep_text") == read_file(kSmall));
  CHECK_THAT(table.attribute("kcsim_version"), ContainsSubstring("kcsim "));
  const auto* status = table.find("status");
  const auto* error = table.find("error");
  const auto* point = table.find("point");
  // Infeasible points are rows with their reason.
  CHECK(status->texts[8] == "infeasible");
  CHECK_THAT(error->texts[8], ContainsSubstring("tp 3"));
  CHECK(table.cell(*table.find("axis.training.plan.tp"), 8) == "3");
  CHECK(lines_in(csv) == 17);

  for (size_t row : {0, 5, 13}) {
    INFO("point " << row);
    REQUIRE(status->texts[row] == "ok");
    REQUIRE(table.number(*point, row) == static_cast<double>(row));
    auto scenario = run_kcsim("sweep " + kSmall + " --print-point " + std::to_string(row));
    REQUIRE(scenario.exit_code == 0);
    auto file = folder.path() / ("point" + std::to_string(row) + ".textproto");
    std::ofstream(file) << scenario.out;
    auto single = run_kcsim("run " + shell_quoted(file) + " --json");
    REQUIRE(single.exit_code == 0);
    auto training = nlohmann::json::parse(single.out)["runs"][0]["training"];
    for (const char* key : {"iteration_time_s", "tokens_per_s", "mfu", "energy_per_token_j",
                            "memory_per_device_gib", "tp", "pp", "micro_batch_sequences"}) {
      INFO(key);
      CHECK(table.number(*table.find(std::string("training.") + key), row) ==
            training[key].get<double>());
    }
    // The energy yield is the same figure per kWh.
    CHECK(table.number(*table.find("training.tokens_per_kwh"), row) ==
          training["tokens_per_s_per_kw"].get<double>() * 3600);
  }
}

TEST_CASE("a sweep killed mid-way resumes into the file of an uninterrupted run",
          "[sweep][cli][resume]") {
  ScratchFolder folder;
  std::string sweep = long_sweep(folder.path());
  auto whole = folder.path() / "whole.h5";
  auto resumed = folder.path() / "resumed.h5";
  auto journal = folder.path() / "resumed.h5.journal";

  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setenv("KCSIM_CONFIG_DIR", KCSIM_SOURCE_DIR "/configs", 1);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    // Rebuilt as often as its pacing allows, so that the kill finds points in the file.
    execl(KCSIM_BINARY, KCSIM_BINARY, "sweep", sweep.c_str(), "--out", resumed.c_str(), "--jobs",
          "2", "--rewrite-s", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill it (no chance to clean up) once a few hundred points are in the journal and the
  // output has been rebuilt with some of them.
  auto points_in_output = [&] {
    if (!std::filesystem::exists(resumed)) return std::string("none");
    return kcsim::read_hdf5_table(resumed).attribute("points_done");
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         (!std::filesystem::exists(journal) || lines_in(journal) < 300 ||
          points_in_output() == "none" || points_in_output() == "0")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  size_t journalled = lines_in(journal);
  REQUIRE(journalled >= 300);
  REQUIRE(journalled < 13824);  // it was killed before the end

  // What the kill left is a readable file of the points done so far, marked incomplete.
  kcsim::SweepTable left = kcsim::read_hdf5_table(resumed);
  CHECK(left.attribute("complete") == "false");
  CHECK(left.attribute("points_total") == "13824");
  size_t left_points = std::stoul(left.attribute("points_done"));
  CHECK(left_points > 0);
  CHECK(left_points <= journalled);
  std::vector<nlohmann::json> left_rows;
  for (auto& row : kcsim::rows_from_table(left)) left_rows.push_back(row);

  auto again = run_kcsim("sweep " + shell_quoted(sweep) + " --out " + shell_quoted(resumed) +
                         " --jobs 2 --json");
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  auto summary = nlohmann::json::parse(again.out);
  CHECK(summary["resumed_points"].get<size_t>() >= journalled - 2);  // header and a cut line
  CHECK(summary["points"] == 13824);

  auto fresh =
      run_kcsim("sweep " + shell_quoted(sweep) + " --out " + shell_quoted(whole) + " --jobs 1");
  REQUIRE(fresh.exit_code == 0);
  CHECK(read_file(resumed) == read_file(whole));
  // Each row the killed sweep had written is the uninterrupted run's row of that point.
  std::map<std::pair<double, double>, nlohmann::json> whole_rows;
  for (auto& row : kcsim::rows_from_table(kcsim::read_hdf5_table(whole))) {
    whole_rows[{row.at("point").get<double>(), row.at("run").get<double>()}] = row;
  }
  for (const auto& row : left_rows) {
    auto key = std::pair{row.at("point").get<double>(), row.at("run").get<double>()};
    REQUIRE(whole_rows.count(key));
    CHECK(row.dump() == whole_rows.at(key).dump());
  }
  // Nothing left behind but the two results.
  CHECK(folder.entries() == std::vector<std::string>{"long.textproto", "resumed.h5", "whole.h5"});

  // Run again on a finished file: nothing to do, the same bytes.
  auto done =
      run_kcsim("sweep " + shell_quoted(sweep) + " --out " + shell_quoted(resumed) + " --json");
  REQUIRE(done.exit_code == 0);
  CHECK(nlohmann::json::parse(done.out)["resumed_points"] == 13824);
  CHECK(read_file(resumed) == read_file(whole));
}

TEST_CASE("two MPI ranks write the file a local run writes", "[sweep][cli][mpi]") {
#ifndef KCSIM_MPI_TESTS
  SKIP("kcsim was built without MPI (KCSIM_MPI off)");
#endif
  ScratchFolder folder;
  auto local = folder.path() / "local.h5";
  auto ranks = folder.path() / "ranks.h5";
  REQUIRE(run_kcsim("sweep " + kSmall + " --out " + shell_quoted(local)).exit_code == 0);
  // Shared memory between the two ranks on this host; no network needed.
  std::string command = std::string("ASAN_OPTIONS=detect_leaks=0 KCSIM_CONFIG_DIR='") +
                        KCSIM_SOURCE_DIR + "/configs' mpirun --allow-run-as-root --oversubscribe " +
                        "--mca btl self,vader -np 2 '" + KCSIM_BINARY + "' sweep " + kSmall +
                        " --out " + shell_quoted(ranks) + " > " +
                        shell_quoted(folder.path() / "mpi.log") + " 2>&1";
  int status = std::system(command.c_str());
  INFO(read_file(folder.path() / "mpi.log"));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK_THAT(read_file(folder.path() / "mpi.log"), ContainsSubstring("on 2 MPI ranks"));
  CHECK(read_file(ranks) == read_file(local));
}

TEST_CASE("a point past its time limit is a failed row; the rest complete", "[sweep][cli]") {
  ScratchFolder folder;
  auto sweep = folder.path() / "slow.textproto";
  // One point on the event engine (32 GPUs, 32,768 micro-batches: about 12 s in a release build,
  // far longer under sanitizers), one analytical (milliseconds). The limit sits well between
  // them even on a loaded machine.
  std::ofstream(sweep) << R"(name: "slow"
base {
  cluster_names: "dgx-h100"
  it_power_budget_kw: 42
  training { model: "llama2-7b" global_batch: 262144 seq_len: 2048 plan { pp: 4 } }
}
axes { field: "engine" values: "analytical" values: "event" }
)";
  auto out = folder.path() / "slow.h5";
  auto result =
      run_kcsim("sweep " + shell_quoted(sweep) + " --out " + shell_quoted(out) + " --timeout-s 4");
  INFO(result.err);
  CHECK(result.exit_code == 1);  // a point failed
  kcsim::SweepTable table = kcsim::read_hdf5_table(out);
  REQUIRE(table.rows == 2);
  CHECK(table.find("status")->texts[0] == "ok");
  CHECK(table.find("status")->texts[1] == "failed");
  CHECK_THAT(table.find("error")->texts[1], ContainsSubstring("timed out after 4 s"));
}

TEST_CASE("sweep input errors stop before anything runs", "[sweep][cli][errors]") {
  ScratchFolder folder;
  auto bad = folder.path() / "bad.textproto";
  std::ofstream(bad) << "base { cluster_names: \"dgx-h100\" }\naxes { field: \"training.plan.tq\" "
                        "values: \"1\" }\n";
  auto out = folder.path() / "bad.h5";
  auto result = run_kcsim("sweep " + shell_quoted(bad) + " --out " + shell_quoted(out));
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, ContainsSubstring("bad.textproto:2:8: axes[0].field"));
  CHECK(folder.entries() == std::vector<std::string>{"bad.textproto"});

  // An output from another sweep is not resumed into.
  auto first = folder.path() / "first.h5";
  REQUIRE(run_kcsim("sweep " + kSmall + " --out " + shell_quoted(first) + " --quiet").exit_code ==
          0);
  auto other = folder.path() / "other.textproto";
  std::ofstream(other) << read_file(kSmall)
                       << "axes { field: \"training.seq_len\" values: \"1024\" }\n";
  auto clash =
      run_kcsim("sweep " + shell_quoted(other) + " --out " + shell_quoted(first) + " --quiet");
  CHECK(clash.exit_code == 2);
  CHECK_THAT(clash.err, ContainsSubstring("another sweep"));
  CHECK(run_kcsim("sweep " + shell_quoted(other) + " --out " + shell_quoted(first) +
                  " --quiet --no-resume")
            .exit_code == 0);
  CHECK(kcsim::read_hdf5_table(first).find("axis.training.seq_len"));
}

TEST_CASE("kcsim best prints the best rows and the frontier", "[sweep][cli]") {
  ScratchFolder folder;
  auto out = folder.path() / "small.h5";
  REQUIRE(run_kcsim("sweep " + kSmall + " --out " + shell_quoted(out) + " --quiet").exit_code == 0);
  auto best = run_kcsim("best " + shell_quoted(out) +
                        " --maximize tokens_per_s --where 'memory_per_device_gib<60' --top 3"
                        " --pareto tokens_per_s:max,memory_per_device_gib:min --json");
  INFO(best.err);
  REQUIRE(best.exit_code == 0);
  auto j = nlohmann::json::parse(best.out);
  REQUIRE(j["best"].size() == 3);
  double previous = INFINITY;
  for (const auto& row : j["best"]) {
    CHECK(row["status"] == "ok");
    CHECK(row["training.memory_per_device_gib"].get<double>() < 60);
    CHECK(row["training.tokens_per_s"].get<double>() <= previous);
    previous = row["training.tokens_per_s"].get<double>();
  }
  // The first frontier row is the fastest row overall; each next one is slower and smaller.
  auto front = j["pareto"]["rows"];
  REQUIRE(front.size() >= 1);
  for (size_t i = 1; i < front.size(); ++i) {
    CHECK(front[i]["training.tokens_per_s"].get<double>() <
          front[i - 1]["training.tokens_per_s"].get<double>());
    CHECK(front[i]["training.memory_per_device_gib"].get<double>() <
          front[i - 1]["training.memory_per_device_gib"].get<double>());
  }
  auto unknown = run_kcsim("best " + shell_quoted(out) + " --maximize tokens_per_mwh");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, ContainsSubstring("no column \"tokens_per_mwh\""));
}

// Time series in the sweep file: an event training sweep keeps each point's cluster device power
// under /series/POINT/RUN/, as steps that integrate to the row's device and memory energy; the
// series survive a resume from the file and from the journal byte for byte; analytical sweeps
// have none; a serving sweep under load keeps its power samples (under the cluster cap) and its
// completed tokens; the Python example still reads the file.
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "analysis/hdf5_table.hpp"
#include "sim/sweep/input_hash.hpp"
#include "sim/sweep/journal.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/resume.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/sim/engine_fixtures.hpp"
#include "tests/support/run_kcsim.hpp"

using kcsim::test::read_file;
using kcsim::test::run_kcsim;
using kcsim::test::ScratchFolder;

namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

// Three Llama-2-7B plans on one DGX H100, each a fraction of a second on the event engine.
std::filesystem::path training_sweep(const std::filesystem::path& folder) {
  auto path = folder / "series.textproto";
  std::ofstream(path) << R"(name: "series"
base {
  cluster_names: "dgx-h100"
  training { model: "llama2-7b" global_batch: 16 seq_len: 2048 plan { tp: 4 } }
}
axes { field: "training.plan.pp" values: "1" values: "2" }
axes { field: "training.micro_batch" values: "1" values: "2" }
)";
  return path;
}

const kcsim::RunSeries* series_of(const kcsim::SweepTable& table, size_t point, size_t run) {
  for (const auto& entry : table.series) {
    if (entry.point == point && entry.run == run) return &entry;
  }
  return nullptr;
}

const std::vector<double>& column(const kcsim::RunSeries& entry, const std::string& name) {
  for (size_t c = 0; c < entry.series.names.size(); ++c) {
    if (entry.series.names[c] == name) return entry.series.columns[c];
  }
  FAIL("no series " << name);
  static const std::vector<double> none;
  return none;
}

double number(const kcsim::SweepTable& table, const std::string& name, size_t row) {
  const auto* column = table.find(name);
  INFO(name);
  REQUIRE(column);
  return table.number(*column, row);
}

// Steps: each sample's value held until the next sample's time.
double step_integral(const std::vector<double>& time, const std::vector<double>& value) {
  double sum = 0;
  for (size_t i = 0; i + 1 < time.size(); ++i) sum += value[i] * (time[i + 1] - time[i]);
  return sum;
}

int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("an event training sweep keeps each point's device power series",
          "[sweep][cli][event][resume]") {
  ScratchFolder folder;
  auto sweep = training_sweep(folder.path());
  auto out = folder.path() / "event.h5";
  auto command = "sweep " + quoted(sweep) + " --engine event --quiet --json --out ";
  auto result = run_kcsim(command + quoted(out));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  kcsim::SweepTable table = kcsim::read_hdf5_table(out);
  REQUIRE(table.rows == 4);
  REQUIRE(table.series.size() == 4);
  for (size_t row = 0; row < table.rows; ++row) {
    INFO("point " << row);
    REQUIRE(table.find("status")->texts[row] == "ok");
    const auto* entry = series_of(table, row, 0);
    REQUIRE(entry);
    REQUIRE(entry->series.names == std::vector<std::string>{"time_s", "device_power_w"});
    const auto& time = column(*entry, "time_s");
    const auto& power = column(*entry, "device_power_w");
    REQUIRE(time.size() == power.size());
    REQUIRE(time.size() > 4);  // compute spans start and end: the power changes
    CHECK(time.front() == 0);
    CHECK(time.back() == number(table, "training.iteration_time_s", row));
    for (size_t i = 1; i < time.size(); ++i) REQUIRE(time[i] > time[i - 1]);
    // The steps are the energy the row reports for the devices, memory traffic included.
    double device_j = number(table, "training.energy_breakdown_j.device_j", row) +
                      number(table, "training.energy_breakdown_j.memory_j", row);
    CHECK(std::abs(step_integral(time, power) - device_j) <= 1e-6 * device_j);
    // Between the cluster held idle and every device busy.
    double average_w = device_j / time.back();
    CHECK(*std::min_element(power.begin(), power.end()) < average_w);
    CHECK(*std::max_element(power.begin(), power.end()) > average_w);
  }

  // Resumed from the finished file: the series read back, the same bytes written.
  auto again = run_kcsim(command + quoted(out));
  REQUIRE(again.exit_code == 0);
  CHECK(nlohmann::json::parse(again.out)["resumed_points"] == 4);
  auto whole = folder.path() / "whole.h5";
  std::filesystem::copy_file(out, whole);
  CHECK(read_file(out) == read_file(whole));

  // Resumed from a journal holding one point's record, series included: the same bytes.
  auto partial = folder.path() / "partial.h5";
  {
    auto plan = kcsim::sweep::load_sweep(sweep, "event");
    auto catalog = kcsim::test::catalog();
    kcsim::sweep::InputHasher inputs(plan, catalog);
    kcsim::sweep::Journal journal(partial.string() + ".journal",
                                  kcsim::sweep::sweep_fingerprint(plan), false);
    journal.append(kcsim::sweep::run_point(plan, 2, catalog, inputs));
    journal.sync();
  }
  auto resumed = run_kcsim(command + quoted(partial));
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(nlohmann::json::parse(resumed.out)["resumed_points"] == 1);
  CHECK(read_file(partial) == read_file(whole));
}

TEST_CASE("an analytical sweep has no /series group, and Python reads a file with one",
          "[sweep][cli][python]") {
  ScratchFolder folder;
  auto sweep = training_sweep(folder.path());
  auto analytical = folder.path() / "analytical.h5";
  auto event = folder.path() / "event.h5";
  REQUIRE(run_kcsim("sweep " + quoted(sweep) + " --quiet --out " + quoted(analytical)).exit_code ==
          0);
  REQUIRE(run_kcsim("sweep " + quoted(sweep) + " --engine event --quiet --out " + quoted(event))
              .exit_code == 0);
  CHECK(kcsim::read_hdf5_table(analytical).series.empty());

  auto log = folder.path() / "python.log";
  auto check = folder.path() / "check.py";
  std::ofstream(check) << R"(import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert "series" not in f, list(f)
with h5py.File(sys.argv[2], "r") as f:
    run = f["series/3/0"]
    assert run.attrs["columns"].split() == ["time_s", "device_power_w"], run.attrs["columns"]
    assert run["time_s"].shape == run["device_power_w"].shape
print("ok")
)";
  int code = shell("/usr/bin/python3 " + quoted(check) + " " + quoted(analytical) + " " +
                   quoted(event) + " > " + quoted(log) + " 2>&1");
  INFO(read_file(log));
  REQUIRE(code == 0);
#ifdef KCSIM_PYTHON_PATH
  auto png = folder.path() / "frontier.png";
  code = shell("PYTHONPATH=" KCSIM_PYTHON_PATH " /usr/bin/python3 " KCSIM_SOURCE_DIR
               "/analysis/examples/plot_frontier.py " +
               quoted(event) +
               " --x training.iteration_time_s:min --y training.tokens_per_kwh:max -o " +
               quoted(png) + " > " + quoted(log) + " 2>&1");
  INFO(read_file(log));
  REQUIRE(code == 0);
  CHECK(std::filesystem::file_size(png) > 10000);
#endif
}

TEST_CASE("a serving sweep under load keeps its power samples under the cap and its tokens",
          "[sweep][cli][event]") {
  ScratchFolder folder;
  auto sweep = folder.path() / "load.textproto";
  std::ofstream(sweep) << R"(name: "load"
base {
  cluster_names: "dgx-h100"
  serving {
    model: "llama3-8b"
    dtype: BF16
    tp: 1
    replicas: 8
    load { rate_per_s: 40 requests: 120 output_lengths: "uniform:16:128" log_iterations: true }
  }
}
axes { field: "serving.load.cluster_power_cap_w" values: "0" values: "3000" }
)";
  auto out = folder.path() / "load.h5";
  auto result = run_kcsim("sweep " + quoted(sweep) + " --quiet --out " + quoted(out));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  kcsim::SweepTable table = kcsim::read_hdf5_table(out);
  REQUIRE(table.rows == 2);
  for (size_t row = 0; row < 2; ++row) {
    INFO("point " << row);
    REQUIRE(table.find("status")->texts[row] == "ok");
    const auto* entry = series_of(table, row, 0);
    REQUIRE(entry);
    const auto& time = column(*entry, "time_s");
    const auto& power = column(*entry, "device_power_w");
    REQUIRE(time.size() == power.size());
    REQUIRE(time.size() > 10);
    CHECK(time.back() == number(table, "serving.simulated_time_s", row));
    CHECK(*std::max_element(power.begin(), power.end()) ==
          number(table, "serving.cluster_power_peak_w", row));
    if (row == 1) {
      for (double watts : power) REQUIRE(watts <= 3000 * (1 + 1e-12));
    }
    // The completed requests' output tokens, binned by when they finished.
    const auto& bins = column(*entry, "bin_start_s");
    const auto& rate = column(*entry, "completed_output_tokens_per_s");
    REQUIRE(bins.size() == rate.size());
    std::vector<double> edges = bins;
    edges.push_back(time.back());
    double tokens = step_integral(edges, rate);
    double expected = number(table, "serving.throughput_output_tokens_per_s", row) * time.back();
    CHECK(std::abs(tokens - expected) <= 1e-9 * expected);
  }
}

// The README's four-chip serving sweep, sampled: eight feasible points spread over the four
// chips, each run alone with `kcsim run` of its `--print-point` scenario, give every serving
// metric of their row exactly.
#include <cmath>
#include <fstream>
#include <map>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "analysis/hdf5_table.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"

using kcsim::test::run_kcsim;
using kcsim::test::ScratchFolder;

namespace {

const std::string kSweep = KCSIM_SOURCE_DIR "/configs/sweeps/serving-4chips.textproto";

// Every number of `j`, nested keys joined with '.', as the table names its columns.
void numbers_of(const nlohmann::json& j, const std::string& prefix,
                std::map<std::string, double>& out) {
  for (const auto& [key, value] : j.items()) {
    if (value.is_object()) {
      numbers_of(value, prefix + key + ".", out);
    } else if (value.is_number()) {
      out[prefix + key] = value.get<double>();
    }
  }
}

}  // namespace

TEST_CASE("sampled points of the four-chip serving sweep reproduce kcsim run", "[sweep][cli]") {
  ScratchFolder folder;
  auto out = folder.path() / "serving.h5";
  auto sweep = run_kcsim("sweep " + kSweep + " --out '" + out.string() + "' --jobs 2 --quiet");
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  kcsim::SweepTable table = kcsim::read_hdf5_table(out);
  REQUIRE(table.rows == 512);
  const auto* status = table.find("status");
  const auto* chip = table.find("chip");

  // Per chip, its first and its last feasible point: 8 points over the whole sweep.
  std::map<std::string, std::vector<size_t>> feasible;
  for (size_t row = 0; row < table.rows; ++row) {
    if (status->texts[row] == "ok") feasible[chip->texts[row]].push_back(row);
  }
  REQUIRE(feasible.size() == 4);
  std::vector<size_t> sample;
  for (const auto& [name, rows] : feasible) {
    REQUIRE(rows.size() >= 2);
    sample.push_back(rows.front());
    sample.push_back(rows.back());
  }

  for (size_t row : sample) {
    INFO("point " << row << " on " << chip->texts[row]);
    auto scenario = run_kcsim("sweep " + kSweep + " --print-point " + std::to_string(row));
    REQUIRE(scenario.exit_code == 0);
    auto file = folder.path() / ("point" + std::to_string(row) + ".textproto");
    std::ofstream(file) << scenario.out;
    auto single = run_kcsim("run '" + file.string() + "' --json");
    REQUIRE(single.exit_code == 0);
    std::map<std::string, double> metrics;
    numbers_of(nlohmann::json::parse(single.out)["runs"][0]["serving"], "serving.", metrics);
    REQUIRE(metrics.size() > 10);
    for (const auto& [name, value] : metrics) {
      INFO(name);
      const auto* column = table.find(name);
      REQUIRE(column);
      CHECK(table.number(*column, row) == value);
    }
  }
}

// Numbers keep their kind on the way out: `kcsim best --json` prints point indices, run
// indices and other whole-number columns as integers; the HDF5 file's points_total and
// points_done are integers and complete a boolean, for kcsim and for h5py alike.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "analysis/hdf5_table.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"

using kcsim::test::read_file;
using kcsim::test::run_kcsim;
using kcsim::test::ScratchFolder;

namespace {

const std::string kSmall = KCSIM_SOURCE_DIR "/tests/data/sweeps/small-training.textproto";

std::string shell_path(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

const kcsim::TableAttribute* find(const kcsim::SweepTable& table, const std::string& name) {
  for (const auto& entry : table.attributes) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("best --json prints whole numbers as integers", "[sweep][cli][types]") {
  ScratchFolder folder;
  auto out = folder.path() / "small.h5";
  REQUIRE(run_kcsim("sweep " + kSmall + " --quiet --out " + shell_path(out)).exit_code == 0);
  auto best =
      run_kcsim("best " + shell_path(out) +
                " --maximize tokens_per_s --top 3 --pareto tokens_per_s:max,mfu:max --json");
  INFO(best.err);
  REQUIRE(best.exit_code == 0);
  CHECK(best.out.find("\"point\": 1.0") == std::string::npos);
  auto j = nlohmann::json::parse(best.out);
  REQUIRE(j["best"].size() == 3);
  for (const auto& row : j["best"]) {
    CHECK(row["point"].is_number_integer());
    CHECK(row["run"].is_number_integer());
    CHECK(row["axis.training.plan.tp"].is_number_integer());
    CHECK(row["devices"].is_number_integer());
    CHECK(row["training.tokens_per_s"].is_number_float());  // a measured rate stays a float
  }
  for (const auto& row : j["pareto"]["rows"]) CHECK(row["point"].is_number_integer());
  CHECK(j["matching_rows"].is_number_integer());
}

TEST_CASE("the sweep file's counts are integers and complete is a boolean",
          "[sweep][cli][types][python]") {
  ScratchFolder folder;
  auto out = folder.path() / "small.h5";
  REQUIRE(run_kcsim("sweep " + kSmall + " --quiet --out " + shell_path(out)).exit_code == 0);
  auto table = kcsim::read_hdf5_table(out);
  REQUIRE(find(table, "points_total"));
  CHECK(find(table, "points_total")->kind == kcsim::TableAttribute::Integer);
  CHECK(find(table, "points_done")->kind == kcsim::TableAttribute::Integer);
  CHECK(find(table, "complete")->kind == kcsim::TableAttribute::Boolean);
  CHECK(table.attribute("points_total") == "16");
  CHECK(table.attribute("complete") == "true");

  // kcsim report reads them back.
  auto html = folder.path() / "report.html";
  REQUIRE(run_kcsim("report " + shell_path(out) + " -o " + shell_path(html)).exit_code == 0);
  CHECK(read_file(html).find("16 rows from 16 of 16 points") != std::string::npos);

  auto check = folder.path() / "check.py";
  auto log = folder.path() / "python.log";
  std::ofstream(check) << R"(import sys, h5py, numpy
with h5py.File(sys.argv[1], "r") as f:
    total, done, complete = f.attrs["points_total"], f.attrs["points_done"], f.attrs["complete"]
    assert isinstance(total, numpy.integer) and total == 16, repr(total)
    assert isinstance(done, numpy.integer) and done == 16, repr(done)
    assert isinstance(complete, numpy.bool_) and complete, repr(complete)
print("ok")
)";
  int status = std::system(("/usr/bin/python3 " + shell_path(check) + " " + shell_path(out) +
                            " > " + shell_path(log) + " 2>&1")
                               .c_str());
  INFO(read_file(log));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

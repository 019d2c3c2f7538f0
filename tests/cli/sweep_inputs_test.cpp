// A resumed sweep keeps only what today's inputs would give: a point recorded from another chip
// file, another sweep file or an older journal is recomputed, and the output says how many;
// a rerun without changes resumes every point into the same bytes. A killed run's temporaries
// are removed on the next run.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "analysis/hdf5_table.hpp"
#include "configs/loader/catalog.hpp"
#include "sim/sweep/input_hash.hpp"
#include "sim/sweep/journal.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/resume.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::read_file;
using kcsim::test::run_kcsim;
using kcsim::test::ScratchFolder;

namespace {

namespace fs = std::filesystem;

const std::string kSmall = KCSIM_SOURCE_DIR "/tests/data/sweeps/small-training.textproto";

std::string shell_path(const fs::path& path) { return "'" + path.string() + "'"; }

// A catalog of our own to edit: the chips, models and clusters a run reads.
fs::path copy_catalog(const fs::path& folder) {
  fs::path root = folder / "configs";
  fs::create_directories(root);
  for (const char* part : {"chips", "models", "clusters", "runtimes"}) {
    fs::copy(fs::path(KCSIM_SOURCE_DIR "/configs") / part, root / part,
             fs::copy_options::recursive);
  }
  return root;
}

// Replaces the first `from` in the file with `to`.
void edit(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = read_file(file);
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::trunc) << text;
}

nlohmann::json sweep_json(const std::string& sweep, const fs::path& out, const fs::path& configs,
                          const std::string& extra = "") {
  auto result = run_kcsim("sweep " + shell_path(sweep) + " --out " + shell_path(out) +
                          " --configs " + shell_path(configs) + " --quiet --json " + extra);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out);
}

double tokens_per_s(const fs::path& out, size_t row) {
  auto table = kcsim::read_hdf5_table(out);
  return table.number(*table.find("training.tokens_per_s"), row);
}

}  // namespace

TEST_CASE("a sweep rerun after a chip file changes recomputes its points", "[sweep][cli][resume]") {
  ScratchFolder folder;
  fs::path configs = copy_catalog(folder.path());
  auto out = folder.path() / "small.h5";
  auto first = sweep_json(kSmall, out, configs);
  CHECK(first["resumed_points"] == 0);
  CHECK(first["recomputed_points"] == 0);
  double before = tokens_per_s(out, 1);
  std::string bytes = read_file(out);

  // Unchanged inputs: every point resumed, the same file.
  auto same = sweep_json(kSmall, out, configs);
  CHECK(same["resumed_points"] == 16);
  CHECK(same["recomputed_points"] == 0);
  CHECK(read_file(out) == bytes);

  // The H100's memory bandwidth cut tenfold: nothing of the earlier run stands.
  edit(configs / "chips" / "h100-sxm.textproto", "bandwidth_gb_per_s: 3350",
       "bandwidth_gb_per_s: 335");
  auto changed = sweep_json(kSmall, out, configs);
  CHECK(changed["resumed_points"] == 0);
  CHECK(changed["recomputed_points"] == 16);
  CHECK(tokens_per_s(out, 1) < before);
  // As a fresh run on the edited catalog writes it.
  auto fresh = folder.path() / "fresh.h5";
  sweep_json(kSmall, fresh, configs);
  CHECK(read_file(out) == read_file(fresh));

  // The text report says so too.
  edit(configs / "models" / "llama2-7b.textproto", "layers: 32", "layers: 16");
  auto text = run_kcsim("sweep " + kSmall + " --out " + shell_path(out) + " --configs " +
                        shell_path(configs) + " --quiet");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, ContainsSubstring("16 points of an earlier run recomputed: their inputs "
                                         "changed"));
}

TEST_CASE("a changed sweep file recomputes; another sweep's output is refused",
          "[sweep][cli][resume]") {
  ScratchFolder folder;
  fs::path configs = copy_catalog(folder.path());
  auto sweep = folder.path() / "small.textproto";
  fs::copy_file(kSmall, sweep);
  auto out = folder.path() / "small.h5";
  sweep_json(sweep.string(), out, configs);

  // Another global batch in the base scenario: every point is another scenario.
  edit(sweep, "global_batch: 32", "global_batch: 64");
  auto changed = sweep_json(sweep.string(), out, configs);
  CHECK(changed["recomputed_points"] == 16);
  CHECK(changed["resumed_points"] == 0);

  // A value added to the last axis renumbers the points: those that stayed the same scenario
  // are still recomputed (the sweep file changed), and the new ones run.
  edit(sweep, "values: \"2\" }\n", "values: \"2\" values: \"4\" }\n");
  auto grown = sweep_json(sweep.string(), out, configs);
  CHECK(grown["points"] == 24);
  CHECK(grown["recomputed_points"] == 16);
  CHECK(kcsim::read_hdf5_table(out).rows == 24);

  // Another name is another sweep: refused, the file kept.
  std::string bytes = read_file(out);
  edit(sweep, "name: \"small training sweep\"", "name: \"other\"");
  auto clash = run_kcsim("sweep " + shell_path(sweep) + " --out " + shell_path(out) +
                         " --configs " + shell_path(configs) + " --quiet");
  CHECK(clash.exit_code == 2);
  CHECK_THAT(clash.err, ContainsSubstring("another sweep"));
  CHECK(read_file(out) == bytes);
}

TEST_CASE("journal records from other inputs are recomputed", "[sweep][cli][resume]") {
  ScratchFolder folder;
  fs::path configs = copy_catalog(folder.path());
  auto out = folder.path() / "partial.h5";
  // A killed run left five points in the journal and no output file.
  {
    auto plan = kcsim::sweep::load_sweep(kSmall);
    kcsim::config::Catalog catalog(configs);
    kcsim::sweep::InputHasher inputs(plan, catalog);
    kcsim::sweep::Journal journal(out.string() + ".journal", kcsim::sweep::sweep_fingerprint(plan),
                                  false);
    for (size_t i = 0; i < 5; ++i)
      journal.append(kcsim::sweep::run_point(plan, i, catalog, inputs));
    journal.sync();
  }
  edit(configs / "clusters" / "dgx-h100.textproto", "nodes: 1", "nodes: 2");
  auto resumed = sweep_json(kSmall, out, configs);
  CHECK(resumed["resumed_points"] == 0);
  CHECK(resumed["recomputed_points"] == 5);

  // Five points journalled from the catalog as it is now: all five kept.
  auto kept = folder.path() / "kept.h5";
  {
    auto plan = kcsim::sweep::load_sweep(kSmall);
    kcsim::config::Catalog catalog(configs);
    kcsim::sweep::InputHasher inputs(plan, catalog);
    kcsim::sweep::Journal journal(kept.string() + ".journal", kcsim::sweep::sweep_fingerprint(plan),
                                  false);
    for (size_t i = 0; i < 5; ++i)
      journal.append(kcsim::sweep::run_point(plan, i, catalog, inputs));
  }
  auto again = sweep_json(kSmall, kept, configs);
  CHECK(again["resumed_points"] == 5);
  CHECK(again["recomputed_points"] == 0);
  CHECK(read_file(kept) == read_file(out));

  // A journal an older kcsim wrote names no inputs: started over, not refused.
  auto old = folder.path() / "old.h5";
  std::ofstream(old.string() + ".journal")
      << "{\"kcsim_sweep_journal\":1,\"fingerprint\":\"0123456789abcdef\"}\n"
      << "{\"point\":0,\"rows\":[{\"point\":0,\"run\":0,\"status\":\"ok\",\"error\":\"\"}]}\n";
  auto restarted = sweep_json(kSmall, old, configs);
  CHECK(restarted["resumed_points"] == 0);
  CHECK(read_file(old) == read_file(out));
}

TEST_CASE("a sweep removes the temporaries a killed run left", "[sweep][cli][resume]") {
  ScratchFolder folder;
  auto out = folder.path() / "small.h5";
  auto csv = folder.path() / "small.csv";
  // A process that has ended: its pid names no one now.
  pid_t gone = fork();
  REQUIRE(gone >= 0);
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  std::string dead = std::to_string(gone), alive = std::to_string(getpid());
  for (const auto& name : {"small.h5.tmp-" + dead, "small.csv.tmp-" + dead, "small.h5.tmp-" + alive,
                           std::string("small.h5.tmp-notapid")}) {
    std::ofstream(folder.path() / name) << "half-written";
  }
  auto result = run_kcsim("sweep " + kSmall + " --out " + shell_path(out) + " --csv " +
                          shell_path(csv) + " --quiet");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  // A running process may still be writing its temporary; what is not a temporary stays.
  CHECK(folder.entries() == std::vector<std::string>{"small.csv", "small.h5",
                                                     "small.h5.tmp-" + alive,
                                                     "small.h5.tmp-notapid"});
}

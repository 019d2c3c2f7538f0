// No kcsim command writes over what it reads or leaves half a result: an output that is one of
// its inputs, a folder, a pipe, or another output of the same run is refused with exit 2, the
// flag named, before anything is written.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

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

// Runs kcsim, expecting exit 2 with `flag` and `what` in the message.
void refused(const std::string& arguments, const std::string& flag, const std::string& what) {
  auto result = run_kcsim(arguments);
  INFO(arguments << "\n" << result.err);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, ContainsSubstring(flag + ": "));
  CHECK_THAT(result.err, ContainsSubstring(what));
  CHECK(result.out.empty());
}

}  // namespace

TEST_CASE("a sweep refuses bad output paths before it writes anything", "[sweep][cli][outputs]") {
  ScratchFolder folder;
  auto sweep = folder.path() / "small.textproto";
  fs::copy_file(kSmall, sweep);
  fs::create_directory(folder.path() / "taken");
  ::mkfifo((folder.path() / "pipe").c_str(), 0644);
  auto out = folder.path() / "small.h5";
  const std::vector<std::string> before = folder.entries();
  std::string run = "sweep " + shell_path(sweep) + " --quiet --out ";

  refused(run + shell_path(out) + " --csv " + shell_path(out), "--csv", "is also the output --out");
  refused(run + shell_path(out) + " --csv " + shell_path(folder.path() / "taken"), "--csv",
          "is a folder");
  refused(run + shell_path(out) + " --csv " + shell_path(folder.path() / "pipe"), "--csv",
          "not a regular file");
  refused(run + shell_path(out) + " --csv " + shell_path(folder.path() / "no" / "small.csv"),
          "--csv", "does not exist");
  refused(run + shell_path(folder.path() / "taken"), "--out", "is a folder");
  // The sweep file itself, by another spelling of its path.
  refused(run + shell_path(folder.path() / "." / "small.textproto"), "--out", "is also an input");
  refused(run + shell_path(out) + " --csv " + shell_path(fs::path(out.string() + ".journal")),
          "--csv", "is also the output --out");
  // Not one file was written, not even the journal.
  CHECK(folder.entries() == before);
  CHECK(read_file(sweep) == read_file(kSmall));
}

TEST_CASE("a sweep's output may not be a catalog file", "[sweep][cli][outputs]") {
  ScratchFolder folder;
  fs::path configs = folder.path() / "configs";
  fs::create_directories(configs);
  for (const char* part : {"chips", "models", "clusters", "runtimes"}) {
    fs::copy(fs::path(KCSIM_SOURCE_DIR "/configs") / part, configs / part,
             fs::copy_options::recursive);
  }
  auto chip = configs / "chips" / "h100-sxm.textproto";
  std::string text = read_file(chip);
  refused("sweep " + kSmall + " --quiet --configs " + shell_path(configs) + " --out " +
              shell_path(chip),
          "--out", "is also an input");
  CHECK(read_file(chip) == text);
}

TEST_CASE("kcsim report will not write over its results", "[sweep][cli][outputs]") {
  ScratchFolder folder;
  auto out = folder.path() / "x.h5";
  REQUIRE(run_kcsim("sweep " + kSmall + " --quiet --out " + shell_path(out)).exit_code == 0);
  std::string bytes = read_file(out);
  refused("report " + shell_path(out) + " -o " + shell_path(out), "-o", "is also an input");
  refused("report " + shell_path(out) + " -o " + shell_path(folder.path()), "-o", "is a folder");
  CHECK(read_file(out) == bytes);
  CHECK(folder.entries() == std::vector<std::string>{"x.h5"});
}

TEST_CASE("trace, request and Chakra outputs are checked before the run", "[cli][outputs]") {
  ScratchFolder folder;
  fs::create_directory(folder.path() / "taken");

  // A folder for the event engine's trace: bad input, not an internal error.
  refused(
      "train --model llama2-7b --chip h100-sxm --devices 8 --tp 8 --global-batch 8 "
      "--engine event --trace-out " +
          shell_path(folder.path() / "taken"),
      "--trace-out", "is a folder");

  // The request log over the request trace it replays.
  auto trace = folder.path() / "requests.csv";
  fs::copy_file(KCSIM_SOURCE_DIR "/tests/data/serving/azure-layout-sample.csv", trace);
  std::string requests = read_file(trace);
  refused("serve --model llama2-7b --chip a100-80g --tp 1 --trace " + shell_path(trace) +
              " --requests-out " + shell_path(trace),
          "--requests-out", "is also an input");
  CHECK(read_file(trace) == requests);

  // A Chakra export whose second rank file would land on a folder: not even rank 0 is written.
  fs::create_directory(folder.path() / "plan.1.et");
  refused(
      "export-chakra --model megatron-1.7b --chip a100-80g --devices 16 --tp 2 --pp 2 "
      "--global-batch 16 --out " +
          shell_path(folder.path() / "plan"),
      "--out", "is a folder");
  CHECK_FALSE(fs::exists(folder.path() / "plan.0.et"));

  // A replay's trace over one of the rank files it reads.
  fs::copy(KCSIM_SOURCE_DIR "/tests/data/chakra-dp16", folder.path() / "dp16");
  auto rank0 = folder.path() / "dp16" / "w.0.et";
  std::string rank_bytes = read_file(rank0);
  refused("replay " + shell_path(folder.path() / "dp16" / "w") + " --cluster " +
              shell_path(folder.path() / "dp16" / "cluster.textproto") + " --trace-out " +
              shell_path(rank0),
          "--trace-out", "is also an input");
  CHECK(read_file(rank0) == rank_bytes);
}

TEST_CASE("calibrate -o will not write over a catalog file", "[cli][outputs]") {
  ScratchFolder folder;
  fs::path configs = folder.path() / "configs";
  fs::copy(fs::path(KCSIM_SOURCE_DIR "/configs"), configs, fs::copy_options::recursive);
  auto chip = configs / "chips" / "h100-sxm.textproto";
  std::string text = read_file(chip);
  refused("calibrate power --chip h100-sxm --configs " + shell_path(configs) + " -o " +
              shell_path(chip),
          "-o", "is also an input");
  CHECK(read_file(chip) == text);
}

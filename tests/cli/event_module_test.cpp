// The kcsim binary loads the event engine, and SimGrid with it, only for an event-engine run: from
// the module next to the binary (lib/kcsim/kcsim_event.so from the binary's folder). Without the
// module, an analytical run works and an event run exits 1 naming the path it looked at.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "tests/analysis/scratch_folder.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::read_file;
using kcsim::test::ScratchFolder;

namespace {

const std::string kTrain =
    "train --model llama3-8b --chip h100-sxm --devices 16 --tp 2 --pp 2 --global-batch 32";

struct Run {
  int exit_code = -1;
  std::string err;
};

// `binary arguments` with the source tree's catalog and the dynamic loader reporting every file
// it loads (LD_DEBUG=files) on standard error.
Run run_traced(const std::filesystem::path& binary, const std::string& arguments,
               const std::filesystem::path& folder) {
  auto err = folder / "err.txt";
  std::string command = std::string("LD_DEBUG=files KCSIM_CONFIG_DIR='") + KCSIM_SOURCE_DIR +
                        "/configs' '" + binary.string() + "' " + arguments + " >/dev/null 2>'" +
                        err.string() + "' </dev/null";
  int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(err)};
}

}  // namespace

TEST_CASE("only an event-engine run loads the event engine module and SimGrid",
          "[cli][event-module]") {
  ScratchFolder folder;
  for (const std::string& analytical : {std::string("chips"), kTrain}) {
    auto r = run_traced(KCSIM_BINARY, analytical, folder.path());
    INFO(analytical);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, !ContainsSubstring("kcsim_event.so") && !ContainsSubstring("libsimgrid"));
  }
  auto event = run_traced(KCSIM_BINARY, kTrain + " --engine event", folder.path());
  CHECK(event.exit_code == 0);
  CHECK_THAT(event.err,
             ContainsSubstring("lib/kcsim/kcsim_event.so") && ContainsSubstring("libsimgrid"));
}

TEST_CASE(
    "a kcsim binary without its event engine module runs analytically and says where the "
    "module should be",
    "[cli][event-module][errors]") {
  ScratchFolder folder;
  auto binary = folder.path() / "bin" / "kcsim";
  std::filesystem::create_directories(binary.parent_path());
  std::filesystem::copy_file(KCSIM_BINARY, binary);

  CHECK(run_traced(binary, kTrain, folder.path()).exit_code == 0);
  auto r = run_traced(binary, kTrain + " --engine event", folder.path());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err,
             ContainsSubstring("kcsim: internal error: cannot load the event engine module " +
                               (folder.path() / "lib/kcsim/kcsim_event.so").string()));
}

// The kcsim binary loads the event engine, and SimGrid with it, only for an event-engine run, HDF5
// only for a call that reads or writes a sweep table, and Open MPI only for a sweep under mpirun:
// each from its module next to the binary (lib/kcsim/NAME.so from the binary's folder). Without a
// module, the calls that do not need it work and the others exit 1 naming the path looked at.
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
const std::string kSmallSweep = KCSIM_SOURCE_DIR "/tests/data/sweeps/small-training.textproto";

struct Run {
  int exit_code = -1;
  std::string err;
};

// `binary arguments` with the source tree's catalog and the dynamic loader reporting every file
// it loads (LD_DEBUG=files) on standard error.
// `launcher`, when given, starts the traced binary (through env, so that the launcher itself is not
// traced).
Run run_traced(const std::filesystem::path& binary, const std::string& arguments,
               const std::filesystem::path& folder, const std::string& launcher = "") {
  auto err = folder / "err.txt";
  std::string command = std::string("KCSIM_CONFIG_DIR='") + KCSIM_SOURCE_DIR + "/configs' " +
                        launcher + " env LD_DEBUG=files '" + binary.string() + "' " + arguments +
                        " >/dev/null 2>'" + err.string() + "' </dev/null";
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

TEST_CASE("only the calls that read or write a sweep table load HDF5, and only mpirun loads MPI",
          "[cli][hdf5-module][mpi-module]") {
  ScratchFolder folder;
  auto out = (folder.path() / "small.h5").string();
  for (const std::string& analytical : {std::string("chips"), kTrain}) {
    auto r = run_traced(KCSIM_BINARY, analytical, folder.path());
    INFO(analytical);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, !ContainsSubstring("kcsim_hdf5.so") && !ContainsSubstring("libhdf5") &&
                          !ContainsSubstring("kcsim_mpi.so") && !ContainsSubstring("libmpi"));
  }
  auto sweep =
      run_traced(KCSIM_BINARY, "sweep " + kSmallSweep + " --quiet --out " + out, folder.path());
  CHECK(sweep.exit_code == 0);
  CHECK_THAT(sweep.err, ContainsSubstring("lib/kcsim/kcsim_hdf5.so") &&
                            ContainsSubstring("libhdf5") && !ContainsSubstring("libmpi"));
  auto best = run_traced(KCSIM_BINARY, "best " + out + " --maximize tokens_per_s", folder.path());
  CHECK(best.exit_code == 0);
  CHECK_THAT(best.err,
             ContainsSubstring("lib/kcsim/kcsim_hdf5.so") && ContainsSubstring("libhdf5"));
#ifdef KCSIM_MPI_TESTS
  auto ranks = run_traced(
      KCSIM_BINARY, "sweep " + kSmallSweep + " --quiet --no-resume --out " + out, folder.path(),
      "ASAN_OPTIONS=detect_leaks=0 mpirun --allow-run-as-root --oversubscribe "
      "--mca btl self,vader -np 1");
  CHECK(ranks.exit_code == 0);
  CHECK_THAT(ranks.err, ContainsSubstring("lib/kcsim/kcsim_mpi.so") &&
                            ContainsSubstring("libmpi") &&
                            ContainsSubstring("lib/kcsim/kcsim_hdf5.so"));
#endif
}

TEST_CASE("a kcsim binary without its HDF5 table module says where the module should be",
          "[cli][hdf5-module][errors]") {
  ScratchFolder folder;
  auto binary = folder.path() / "bin" / "kcsim";
  std::filesystem::create_directories(binary.parent_path());
  std::filesystem::copy_file(KCSIM_BINARY, binary);

  auto out = (folder.path() / "small.h5").string();
  auto r = run_traced(binary, "sweep " + kSmallSweep + " --quiet --out " + out, folder.path());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, ContainsSubstring("kcsim: internal error: cannot load the HDF5 table module " +
                                      (folder.path() / "lib/kcsim/kcsim_hdf5.so").string()));
}

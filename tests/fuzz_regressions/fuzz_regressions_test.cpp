// Inputs the fuzz targets found that kcsim handled badly (a crash, a hang, an exception that is
// not InputError or InfeasibleError: exit 1), each fed through the same entry point as its
// target (tests/fuzz/fuzz_inputs.hpp) and held to the clean outcome. The reproducers live in
// tests/data/fuzz-regressions/TARGET/; scripts/fuzz.sh and bench/RESULTS.md ("Fuzzing") say how
// they were found. Every finding here is fixed; a new one is added with its fix.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "configs/loader/errors.hpp"
#include "tests/fuzz/fuzz_inputs.hpp"

namespace {

std::string reproducer(const std::string& target, const std::string& name) {
  std::filesystem::path path =
      std::filesystem::path(KCSIM_SOURCE_DIR) / "tests/data/fuzz-regressions" / target / name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// "input error", "infeasible", "accepted", or what else `run` threw.
template <class F>
std::string outcome(F&& run) {
  try {
    run();
    return "accepted";
  } catch (const kcsim::InputError&) {
    return "input error";
  } catch (const kcsim::InfeasibleError&) {
    return "infeasible";
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  }
}

}  // namespace

TEST_CASE("fuzz sweep: a base_file name too long for the file system is bad input",
          "[fuzz][sweep]") {
  // std::filesystem::is_regular_file threw filesystem_error (ENAMETOOLONG) from load_sweep.
  REQUIRE_THROWS_AS(kcsim::fuzz::load_sweep(reproducer("sweep", "long-base-file.textproto")),
                    kcsim::InputError);
}

TEST_CASE("fuzz sweep: axes that apply to the base one by one but not together are bad input",
          "[fuzz][sweep]") {
  // load_sweep checked each axis alone against the base; building a point applies them in
  // order, and set_field threw std::invalid_argument ("index 2 is more than one past the end").
  REQUIRE_THROWS_AS(kcsim::fuzz::load_sweep(reproducer("sweep", "whole-list-then-index.textproto")),
                    kcsim::InputError);
}

TEST_CASE("fuzz scenario: a DIRECT fabric of 1,024 devices per server is refused up front",
          "[fuzz][scenario]") {
  // 32 x 1,024 devices is under the device limit, but resolve_cluster built each server's full
  // mesh, 16.8 million links (22 s and 3.7 GB in the release build). A DIRECT server now holds
  // at most kMaxDirectMeshDevices.
  std::string bytes = reproducer("scenario", "direct-mesh-1024.textproto");
  std::string result = outcome([&] { kcsim::fuzz::resolve_scenario(bytes); });
  INFO(result);
  CHECK(result == "input error");
}

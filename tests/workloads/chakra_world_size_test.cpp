// A Chakra prefix holds one trace: every rank file states the world size it was written for,
// replay refuses a prefix whose files disagree with it, and export removes the rank files a
// larger trace left under the same prefix.
#include <filesystem>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "tests/support/run_kcsim.hpp"
#include "workloads/chakra_trace.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;

namespace {

std::string fresh_prefix(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("kcsim-world-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "t").string();
}

std::string export_command(int devices, const std::string& prefix) {
  return "export-chakra --model llama3-8b --chip h100-sxm --devices " + std::to_string(devices) +
         " --global-batch " + std::to_string(devices) + " --out " + prefix;
}

}  // namespace

TEST_CASE("exported rank files state their world size", "[workloads][chakra]") {
  auto prefix = fresh_prefix("state");
  REQUIRE(run_kcsim(export_command(8, prefix)).exit_code == 0);
  auto traces = kcsim::read_chakra_traces(prefix);
  REQUIRE(traces.size() == 8);
  for (const auto& trace : traces) CHECK(kcsim::chakra_world_size(trace.metadata) == 8);
}

TEST_CASE("a smaller export over a larger one removes the stale ranks", "[workloads][chakra]") {
  auto prefix = fresh_prefix("stale");
  REQUIRE(run_kcsim(export_command(16, prefix)).exit_code == 0);
  auto r = run_kcsim(export_command(8, prefix));
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, ContainsSubstring("removed 8 rank files"));
  CHECK_FALSE(std::filesystem::exists(prefix + ".8.et"));
  CHECK_FALSE(std::filesystem::exists(prefix + ".15.et"));
  auto replay = run_kcsim("replay " + prefix + " --cluster dgx-h100 --json");
  REQUIRE(replay.exit_code == 0);
  CHECK_THAT(replay.out, ContainsSubstring("\"ranks\": 8"));
}

TEST_CASE("replay refuses a prefix whose files disagree on the world size", "[workloads][chakra]") {
  auto prefix = fresh_prefix("mixed");
  auto other = fresh_prefix("mixed-other");
  REQUIRE(run_kcsim(export_command(8, prefix)).exit_code == 0);
  REQUIRE(run_kcsim(export_command(16, other)).exit_code == 0);
  std::filesystem::copy_file(other + ".8.et", prefix + ".8.et");
  try {
    kcsim::read_chakra_traces(prefix);
    FAIL("no error");
  } catch (const kcsim::InputError& e) {
    CHECK_THAT(e.what(), ContainsSubstring("written for 8 ranks, but the prefix"));
    CHECK_THAT(e.what(), ContainsSubstring("holds 9 rank files"));
  }
  auto r = run_kcsim("replay " + prefix + " --cluster dgx-h100");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
}

TEST_CASE("a rank file that is not a regular file is refused", "[workloads][chakra]") {
  auto prefix = fresh_prefix("folder");
  std::filesystem::create_directories(prefix + ".0.et");
  try {
    kcsim::read_chakra_file(prefix + ".0.et", 0);
    FAIL("no error");
  } catch (const kcsim::InputError& e) {
    CHECK_THAT(e.what(), ContainsSubstring("is not a regular file"));
  }
}

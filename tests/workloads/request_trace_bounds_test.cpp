// Request traces as spreadsheets and scripts write them: a byte-order mark before the header,
// and rows whose numbers would make every figure computed from them infinite or NaN.
#include <fstream>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"
#include "workloads/serving/request_trace.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::serving::read_request_trace;

namespace {

std::string error_reading(const std::string& path) {
  try {
    read_request_trace(path);
  } catch (const kcsim::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a UTF-8 byte-order mark before the header is not part of the first column",
          "[serving][trace]") {
  kcsim::test::ScratchFolder folder;
  auto path = (folder.path() / "bom.csv").string();
  std::ofstream(path) << "\xEF\xBB\xBFTIMESTAMP,ContextTokens,GeneratedTokens\n0,10,5\n1,20,6\n";
  auto trace = read_request_trace(path);
  REQUIRE(trace.size() == 2);
  CHECK(trace[1].input_tokens == 20);
}

TEST_CASE("timestamps and token counts out of bounds name the row and column", "[serving][trace]") {
  kcsim::test::ScratchFolder folder;
  auto write = [&](const std::string& name, const std::string& rows) {
    auto path = (folder.path() / name).string();
    std::ofstream(path) << "TIMESTAMP,ContextTokens,GeneratedTokens\n" << rows;
    return path;
  };
  CHECK_THAT(error_reading(write("far.csv", "0,10,5\n1e308,10,5\n")),
             ContainsSubstring("far.csv:3:1: TIMESTAMP"));
  CHECK_THAT(error_reading(write("far.csv", "0,10,5\n1e308,10,5\n")),
             ContainsSubstring("a trace may span at most"));
  CHECK_THAT(error_reading(write("inf.csv", "0,10,5\ninf,10,5\n")),
             ContainsSubstring("is not a time in seconds"));
  CHECK_THAT(error_reading(write("tokens.csv", "0,1000000000000,5\n")),
             ContainsSubstring("tokens.csv:2:3: ContextTokens"));
  CHECK_THAT(error_reading(write("out.csv", "0,10,-1\n")),
             ContainsSubstring("is not a token count in [0,"));
  CHECK(error_reading(write("ok.csv", "0,10,5\n86400,10,5\n")).empty());
}

TEST_CASE("a scenario's trace path is taken from the scenario's folder", "[serving][trace]") {
  kcsim::test::ScratchFolder folder;
  std::ofstream(folder.path() / "requests.csv")
      << "TIMESTAMP,ContextTokens,GeneratedTokens\n0,100,10\n0.5,200,20\n1.0,50,5\n";
  auto scenario = folder.path() / "serve.textproto";
  std::ofstream(scenario) << "name: \"relative trace\"\ncluster_names: \"dgx-h100\"\n"
                             "serving { model: \"llama3-8b\" tp: 1 replicas: 1 "
                             "load { trace: \"requests.csv\" } }\n";
  auto r = kcsim::test::run_kcsim("run " + scenario.string() + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, ContainsSubstring("\"requests_completed\": 3"));
}

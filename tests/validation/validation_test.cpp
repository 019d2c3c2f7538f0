// Published measurements (configs/validation/) reproduced within each case's tolerance.
#include <set>

#include <catch2/catch_test_macros.hpp>

#include "configs/loader/catalog.hpp"
#include "sim/jobs/scenario_runner.hpp"
#include "sim/jobs/validation_runner.hpp"

TEST_CASE("every validation case is within its tolerance", "[validation]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  auto rows = kcsim::run_validation(catalog);
  REQUIRE(rows.size() >= 12);
  std::set<std::string> sources;
  for (const auto& row : rows) {
    INFO(row.name << ": " << row.metric << " published " << row.published << ", kcsim "
                  << row.simulated << " (" << row.relative_error() * 100 << " %) " << row.error);
    CHECK(row.error.empty());
    CHECK(row.tolerance <= 0.15);
    CHECK(row.within_tolerance());
    sources.insert(row.name.substr(0, row.name.find('-')));
  }
  for (const char* source : {"korthikanti", "narayanan", "splitwise", "fastertransformer"}) {
    INFO(source);
    CHECK(sources.count(source) == 1);
  }
}

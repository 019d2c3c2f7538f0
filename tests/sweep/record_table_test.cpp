// Sweep records read by the flat reader give the table the general JSON parser gives: the same
// columns, kinds and cells, escapes and non-ASCII text included.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/record_table.hpp"

using namespace kcsim;
using Catch::Matchers::ContainsSubstring;

namespace {

std::vector<std::string> sample_records() {
  Json a{{"point", 0},
         {"rows",
          {{{"point", 0},
            {"status", "ok"},
            {"error", ""},
            {"training.tokens_per_s", 12345.678901234567},
            {"training.mfu", 0.4},
            {"flag", true},
            {"big", 123456789012345678LL},
            {"tiny", -1.5e-300},
            {"missing", nullptr}}}}};
  Json b{{"point", 2},
         {"rows",
          {{{"point", 2},
            {"status", "infeasible"},
            {"error", "tp 3 \"does not\" divide\n32 heads \\ 10 \xc2\xb5s \x01 \xf0\x9f\x94\xa5"},
            {"extra.note", "text here"},
            {"flag", false}},
           {{"point", 2}, {"run", 1}, {"status", "ok"}, {"training.mfu", 1}}}}};
  return {a.dump(), b.dump(), Json{{"point", 5}, {"rows", Json::array()}}.dump()};
}

}  // namespace

TEST_CASE("the flat record reader builds the table the JSON parser builds", "[sweep]") {
  std::vector<std::string> lines = sample_records();
  std::vector<ColumnSpec> specs = {{"point", false},
                                   {"run", false},
                                   {"status", true},
                                   {"error", true},
                                   {"training.tokens_per_s", false},
                                   {"training.mfu", false},
                                   {"flag", true}};
  SweepTable expected = table_from_rows(sweep::record_rows(lines), specs);
  std::map<size_t, sweep::FlatRecord> records;
  for (const auto& line : lines) {
    auto record = sweep::parse_record(line);
    records[record.point] = std::move(record);
  }
  CHECK(records.at(5).rows.empty());
  SweepTable table = sweep::table_from_records(records, specs);
  REQUIRE(table.rows == expected.rows);
  REQUIRE(table.columns.size() == expected.columns.size());
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const auto& got = table.columns[c];
    const auto& want = expected.columns[c];
    INFO(want.name);
    CHECK(got.name == want.name);
    CHECK(got.text == want.text);
    CHECK(got.texts == want.texts);
    REQUIRE(got.numbers.size() == want.numbers.size());
    for (size_t r = 0; r < got.numbers.size(); ++r) {
      CHECK((std::isnan(got.numbers[r]) ? std::isnan(want.numbers[r])
                                        : got.numbers[r] == want.numbers[r]));
    }
  }
  CHECK(table.find("error")->texts[1].find("\"does not\" divide\n32") != std::string::npos);
}

TEST_CASE("a line that is not a record is refused", "[sweep]") {
  CHECK_THROWS_WITH(sweep::parse_record("{\"point\":1}"), ContainsSubstring("\"rows\""));
  CHECK_THROWS_WITH(sweep::parse_record("{\"point\":1,\"rows\":[{\"a\":1}"),
                    ContainsSubstring("expected"));
  CHECK_THROWS(sweep::parse_record("{\"point\":1,\"rows\":[]} x"));
  CHECK_THROWS(sweep::parse_record("{\"point\":1,\"rows\":[{\"a\":\"\\q\"}]}"));
}

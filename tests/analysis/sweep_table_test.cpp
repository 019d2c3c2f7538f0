// Sweep tables: rows to columns and back, the HDF5 file (round trip, same bytes for the same
// table), CSV, and the queries behind `kcsim best` on a table small enough to check by hand.
#include <cmath>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "analysis/csv_table.hpp"
#include "analysis/hdf5_table.hpp"
#include "analysis/sweep_query.hpp"
#include "configs/loader/errors.hpp"
#include "tests/analysis/scratch_folder.hpp"

using namespace kcsim;
using Catch::Matchers::ContainsSubstring;

namespace {

// Six points: throughput and latency chosen so the frontier is known.
//   point  chip  tokens_per_s  latency_s  status
//   0      a     100           1.0        ok      frontier (fastest)
//   1      a     90            2.0        ok      beaten by 0
//   2      b     80            0.5        ok      frontier
//   3      b     120           3.0        ok      frontier (most throughput)
//   4      c     -             -          infeasible
//   5      c     50            0.5        ok      beaten by 2 (same latency, less throughput)
std::vector<ColumnSpec> known_columns() {
  return {{"point", false}, {"status", true}, {"error", true}, {"chip", true}};
}

SweepTable known_table() {
  std::vector<Json> rows;
  const char* chips[] = {"a", "a", "b", "b", "c", "c"};
  double tps[] = {100, 90, 80, 120, 0, 50};
  double lat[] = {1.0, 2.0, 0.5, 3.0, 0, 0.5};
  for (int i = 0; i < 6; ++i) {
    Json row = {{"point", i},
                {"status", i == 4 ? "infeasible" : "ok"},
                {"error", i == 4 ? "does not fit, needs 90 GiB" : ""},
                {"chip", chips[i]}};
    if (i != 4) {
      row["serving.tokens_per_s"] = tps[i];
      row["serving.latency_s"] = lat[i];
      row["training.latency_s"] = lat[i] * 2;
    }
    rows.push_back(row);
  }
  return table_from_rows(rows, known_columns());
}

}  // namespace

TEST_CASE("rows become columns with a fixed order and back", "[sweep][table]") {
  SweepTable t = known_table();
  REQUIRE(t.rows == 6);
  // Known columns first in the order given, then the others sorted by name.
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.push_back(c.name);
  CHECK(names == std::vector<std::string>{"point", "status", "error", "chip", "serving.latency_s",
                                          "serving.tokens_per_s", "training.latency_s"});
  const SweepColumn* tps = t.find("serving.tokens_per_s");
  REQUIRE(tps);
  CHECK_FALSE(tps->text);
  CHECK(std::isnan(tps->numbers[4]));
  CHECK(t.cell(*tps, 3) == "120");
  CHECK(t.cell(*tps, 4).empty());
  // Back to rows and again to a table: the same table.
  SweepTable again = table_from_rows(rows_from_table(t), known_columns());
  REQUIRE(again.columns.size() == t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) {
    CHECK(again.columns[c].name == t.columns[c].name);
    for (size_t r = 0; r < t.rows; ++r)
      CHECK(again.cell(again.columns[c], r) == t.cell(t.columns[c], r));
  }
}

TEST_CASE("the HDF5 file reads back what was written, in the same bytes every time",
          "[sweep][hdf5]") {
  test::ScratchFolder folder;
  SweepTable t = known_table();
  t.attributes = {{"sweep_name", "known"}, {"kcsim_version", "kcsim test"}, {"sweep_text", "a\nb"}};
  auto first = folder.path() / "first.h5";
  auto second = folder.path() / "second.h5";
  write_hdf5_table(first, t);
  write_hdf5_table(second, t);
  CHECK(test::read_file(first) == test::read_file(second));
  CHECK(folder.entries() == std::vector<std::string>{"first.h5", "second.h5"});  // no temporaries

  SweepTable back = read_hdf5_table(first);
  CHECK(back.attributes == t.attributes);
  REQUIRE(back.rows == t.rows);
  REQUIRE(back.columns.size() == t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) {
    CHECK(back.columns[c].name == t.columns[c].name);
    CHECK(back.columns[c].text == t.columns[c].text);
    for (size_t r = 0; r < t.rows; ++r)
      CHECK(back.cell(back.columns[c], r) == t.cell(t.columns[c], r));
  }

  auto text = folder.path() / "not.h5";
  std::ofstream(text) << "plain text";
  CHECK_THROWS_AS(read_hdf5_table(text), InputError);
  CHECK_THROWS_AS(write_hdf5_table(folder.path() / "missing" / "x.h5", t), InputError);
}

TEST_CASE("CSV quotes what needs quoting and leaves absent numbers empty", "[sweep][csv]") {
  SweepTable t = table_from_rows(
      {Json{{"point", 0}, {"error", "a, \"b\""}, {"x", 1.5}}, Json{{"point", 1}, {"error", ""}}},
      {});
  std::ostringstream out;
  write_csv_table(out, t);
  CHECK(out.str() == "error,point,x\n\"a, \"\"b\"\"\",0,1.5\n,1,\n");
}

TEST_CASE("best rows and the Pareto frontier of a known table", "[sweep][query]") {
  SweepTable t = known_table();
  Objective throughput = parse_objective(t, "serving.tokens_per_s:max", "--pareto");
  Objective latency = parse_objective(t, "serving.latency_s:min", "--pareto");

  // Infeasible rows never match; conditions filter the rest.
  CHECK(matching_rows(t, {}) == std::vector<size_t>{0, 1, 2, 3, 5});
  auto fast = parse_conditions(t, "serving.latency_s<=1, chip!=c");
  CHECK(matching_rows(t, fast) == std::vector<size_t>{0, 2});
  CHECK(rank_rows(t, matching_rows(t, {}), throughput) == std::vector<size_t>{3, 0, 1, 2, 5});
  CHECK(rank_rows(t, matching_rows(t, fast), throughput) == std::vector<size_t>{0, 2});

  auto front = pareto_front(t, matching_rows(t, {}), throughput, latency);
  CHECK(front == std::vector<size_t>{3, 0, 2});
  // The same frontier whichever metric comes first, ordered by that one.
  CHECK(pareto_front(t, matching_rows(t, {}), latency, throughput) == std::vector<size_t>{2, 0, 3});
  // Every row off the frontier is beaten by one on it.
  for (size_t r : matching_rows(t, {})) {
    if (std::find(front.begin(), front.end(), r) != front.end()) continue;
    bool beaten = false;
    for (size_t f : front) {
      beaten = beaten || (t.number(*throughput.column, f) >= t.number(*throughput.column, r) &&
                          t.number(*latency.column, f) <= t.number(*latency.column, r));
    }
    CHECK(beaten);
  }
}

TEST_CASE("column names resolve by their last part when that is unique", "[sweep][query]") {
  SweepTable t = known_table();
  CHECK(resolve_column(t, "tokens_per_s", "--maximize").name == "serving.tokens_per_s");
  CHECK_THROWS_WITH(
      resolve_column(t, "latency_s", "--maximize"),
      ContainsSubstring("names several columns: serving.latency_s, training.latency_s"));
  CHECK_THROWS_WITH(resolve_column(t, "watts", "--maximize"),
                    ContainsSubstring("no column \"watts\""));
  CHECK_THROWS_WITH(parse_conditions(t, "chip<a"), ContainsSubstring("compare it with == or !="));
  CHECK_THROWS_WITH(parse_conditions(t, "tokens_per_s<fast"), ContainsSubstring("not a number"));
  CHECK_THROWS_WITH(parse_conditions(t, "tokens_per_s"), ContainsSubstring("NAME OP VALUE"));
  CHECK_THROWS_WITH(parse_objective(t, "tokens_per_s", "--pareto"), ContainsSubstring(":max"));
}

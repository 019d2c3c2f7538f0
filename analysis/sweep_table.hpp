// A sweep's results as one table: a row per (point, cluster run), a column per axis and per
// metric, the unit in every metric's name. Rows travel as flat JSON objects (the journal
// holds them one point per line); the table is what the HDF5 and CSV writers and the queries
// read.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "analysis/json_writer.hpp"
#include "analysis/results.hpp"

namespace kcsim {

struct SweepColumn {
  std::string name;
  bool text = false;
  std::vector<double> numbers;     // when !text; NaN where a row has no value
  std::vector<std::string> texts;  // when text; empty where a row has no value
};

// The time series one run of a point produced (the event engine's), written under
// /series/POINT/RUN/ of the HDF5 file.
struct RunSeries {
  size_t point = 0, run = 0;
  TimeSeries series;
};

// An attribute of the table: text, or a count or a flag, which the HDF5 file holds as a 64-bit
// integer or a boolean (an 8-bit enum FALSE/TRUE, what h5py reads as numpy.bool_).
struct TableAttribute {
  enum Kind { Text, Integer, Boolean };
  std::string name;
  std::string value;  // Integer: its decimal digits; Boolean: "true" or "false"
  Kind kind = Text;
  bool operator==(const TableAttribute&) const = default;
};

struct SweepTable {
  std::vector<SweepColumn> columns;
  size_t rows = 0;
  std::vector<RunSeries> series;  // by point, then run
  // Written in this order (the sweep file, the kcsim version, ...).
  std::vector<TableAttribute> attributes;

  const SweepColumn* find(const std::string& name) const;
  // The attribute's value as text ("true", "12"); empty when absent.
  std::string attribute(const std::string& name) const;
  // The number at `row` (NaN when absent or a text column).
  double number(const SweepColumn& column, size_t row) const;
  // The cell as text: a number in its shortest exact form, empty when absent.
  std::string cell(const SweepColumn& column, size_t row) const;
};

// What a column holds, before any row is seen.
struct ColumnSpec {
  std::string name;
  bool text = false;
};

// The columns every run row has, after the point's own (point, run, status, error, axes):
// the cluster, then every key of the training and serving results (those the scenario runs)
// flattened with a "training." or "serving." prefix, and the energy yield in tokens per kWh
// of IT energy (training.tokens_per_kwh, serving.output_tokens_per_kwh).
std::vector<ColumnSpec> run_columns(bool training, bool serving);

// The metrics of one run of a scenario as `,"key":value` pairs of run_columns(), appended to
// the text of a JSON object being written.
void write_run_fields(std::string& out, const ScenarioRun& run);

// A mix plan's chosen mix as `,"key":value` pairs: mix_plan.provisioned_facility_mw,
// avg_facility_mw, cost_krw_per_h and mixes (how many), then for each workload NAME
// mix_plan.NAME.option (text), .servers, .provisioned_facility_kw, .avg_facility_kw,
// .tokens_per_s and .tokens_per_kwh.
void write_mix_plan_fields(std::string& out, const MixPlanResult& plan);

// Rows in order; the columns are `columns` first, then any other key the rows carry, sorted
// by name (so the order never depends on which rows are present).
SweepTable table_from_rows(const std::vector<Json>& rows, const std::vector<ColumnSpec>& columns);
// Every row as a flat object with every column (null where a number is absent).
std::vector<Json> rows_from_table(const SweepTable& table);

}  // namespace kcsim

// A sweep's point records (the journal's JSON lines) read once, as they arrive, into flat rows,
// and the table built from them in point order. The records are flat JSON objects that kcsim
// wrote itself, so a reader of just that shape replaces a general JSON parser and its tree:
// the output is rebuilt many times while a sweep runs and each record is read once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/sweep_table.hpp"

namespace kcsim::sweep {

struct FlatValue {
  enum Kind { Null, Number, Text, Bool } kind = Null;
  double number = 0;  // Number, and Bool as 0 or 1
  std::string text;   // Text
};

// The column of every row that holds the hash of its point's inputs (InputHasher).
inline constexpr const char* kInputsHashColumn = "inputs_hash";

struct FlatRecord {
  size_t point = 0;
  std::string inputs_hash;  // the first row's kInputsHashColumn; empty when it has none
  // Each row's fields in the record's order, keys by record_key() number: a sweep's rows share
  // a hundred or so names, kept once.
  std::vector<std::vector<std::pair<uint32_t, FlatValue>>> rows;
  std::vector<std::pair<size_t, TimeSeries>> series;  // (run, its series), by run
};

// The name of key number `id` (as parse_record() numbered it).
const std::string& record_key(uint32_t id);

// Reads {"point": i, "rows": [{"key": scalar, ...}, ...]} and its optional
// "series": [{"run": r, "NAME": [number, ...], ...}, ...]; throws std::runtime_error on
// anything else.
FlatRecord parse_record(std::string_view line);

// The table of `records` (point order), with the columns and cell rules of table_from_rows(),
// and their series.
SweepTable table_from_records(const std::map<size_t, FlatRecord>& records,
                              const std::vector<ColumnSpec>& columns);

}  // namespace kcsim::sweep

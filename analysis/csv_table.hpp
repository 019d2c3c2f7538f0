// A sweep table as flat CSV (RFC 4180): a header of column names, a line per row, numbers in
// their shortest exact form, empty cells where a row has no value.
#pragma once

#include <ostream>

#include "analysis/sweep_table.hpp"

namespace kcsim {

void write_csv_table(std::ostream& out, const SweepTable& table);

}  // namespace kcsim

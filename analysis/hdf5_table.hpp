// A sweep table in an HDF5 file. Layout (documented in README.md):
//   /                 attributes: the table's attributes (kcsim_version, sweep_text, ...), and
//                     "columns", the column names in order, one per line
//   /points/NAME      one dataset per column, one element per row: float64 (NaN: no value)
//                     or a variable-length UTF-8 string
//   /series/POINT/RUN/NAME  the time series of a run (event engine), float64 each, the run
//                     group's "columns" attribute naming them in order; absent when none
// The file carries no timestamps: the same table gives the same bytes. The code that calls HDF5
// is reached through hdf5_io.hpp, so that only the calls that read or write a table load HDF5.
#pragma once

#include <filesystem>
#include <string>

#include "analysis/sweep_table.hpp"

namespace kcsim {

// Written to a temporary sibling and renamed into place; throws InputError (naming `flag`
// when given) when the path cannot be written.
void write_hdf5_table(const std::filesystem::path& path, const SweepTable& table,
                      const std::string& flag = "");

// Throws InputError naming the file when it is not a kcsim sweep file.
SweepTable read_hdf5_table(const std::filesystem::path& path);

}  // namespace kcsim

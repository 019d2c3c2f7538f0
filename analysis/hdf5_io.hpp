// The code behind hdf5_table.hpp that calls HDF5 (analysis/hdf5/), as one table of entry points.
// The kcsim command loads it as a module on the first HDF5 table it reads or writes, so that
// other calls do not load HDF5 and the libraries behind it; tests and benchmarks link it in.
#pragma once

#include <filesystem>
#include <string>

#include "analysis/sweep_table.hpp"

namespace kcsim {

struct Hdf5TableIo {
  // write_hdf5_table and read_hdf5_table (hdf5_table.hpp).
  void (*write)(const std::filesystem::path& path, const SweepTable& table,
                const std::string& flag);
  SweepTable (*read)(const std::filesystem::path& path);
};

// The table this program reaches: linked in, or the module loaded on the first call. A module
// that cannot be loaded is a std::runtime_error naming its path.
const Hdf5TableIo& hdf5_table_io();

}  // namespace kcsim

// The table (analysis/hdf5/hdf5_file.cpp): the one symbol the module is looked up by.
extern "C" const kcsim::Hdf5TableIo* kcsim_hdf5_table_io();

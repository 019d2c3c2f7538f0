#include "analysis/hdf5_table.hpp"

#include "analysis/hdf5_io.hpp"

namespace kcsim {

void write_hdf5_table(const std::filesystem::path& path, const SweepTable& table,
                      const std::string& flag) {
  hdf5_table_io().write(path, table, flag);
}

SweepTable read_hdf5_table(const std::filesystem::path& path) { return hdf5_table_io().read(path); }

}  // namespace kcsim

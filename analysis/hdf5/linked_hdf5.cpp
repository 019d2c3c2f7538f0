// hdf5_table_io() where the HDF5 table code is linked into the program (tests, benchmarks).
#include "analysis/hdf5_io.hpp"

namespace kcsim {

const Hdf5TableIo& hdf5_table_io() { return *kcsim_hdf5_table_io(); }

}  // namespace kcsim

// For the kcsim command, the parts of kcsim that are modules (module_loader.hpp), each loaded on
// its first use; a failed load throws and the next use tries again.
#include <dlfcn.h>

#include "analysis/hdf5_io.hpp"
#include "sim/cli/module_loader.hpp"
#include "sim/engines/event/event_engine.hpp"
#include "sim/sweep/mpi_runtime.hpp"

namespace kcsim {

const EventEngine& event_engine() {
  static const EventEngine* engine = load_module_table<EventEngine>(
      "event engine", "kcsim_event.so", "kcsim_event_engine", RTLD_LAZY | RTLD_LOCAL);
  return *engine;
}

const Hdf5TableIo& hdf5_table_io() {
  static const Hdf5TableIo* io = load_module_table<Hdf5TableIo>(
      "HDF5 table", "kcsim_hdf5.so", "kcsim_hdf5_table_io", RTLD_LAZY | RTLD_LOCAL);
  return *io;
}

// Global: Open MPI loads its own components with dlopen, and they take symbols from libmpi and
// libopen-pal, which the module brings, in the global scope.
const sweep::mpi::Runtime& sweep::mpi::runtime() {
  static const Runtime* mpi = load_module_table<Runtime>("MPI", "kcsim_mpi.so", "kcsim_mpi_runtime",
                                                         RTLD_LAZY | RTLD_GLOBAL);
  return *mpi;
}

}  // namespace kcsim

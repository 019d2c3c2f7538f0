// The modules the kcsim binary loads on first use, so that a call that needs none of them starts
// without the libraries behind them: the event engine (SimGrid), the HDF5 sweep table (HDF5) and
// the MPI sweep (Open MPI). Each sits in KCSIM_MODULE_DIR, a folder relative to that of the
// running binary (bin/kcsim and lib/kcsim/NAME.so, in the build tree as when installed), and is
// reached through one entry point returning its table of functions. A module leaves kcsim's own
// functions undefined: the binary exports them (ENABLE_EXPORTS).
#pragma once

namespace kcsim {

// Loads the module `file` with dlopen `flags` and returns its entry point `entry`. Throws
// std::runtime_error naming the module (`what`) and its path when either is missing.
void* load_module_entry(const char* what, const char* file, const char* entry, int flags);

// The table returned by the module's entry point, `extern "C" const Table* entry()`.
template <class Table>
const Table* load_module_table(const char* what, const char* file, const char* entry, int flags) {
  return reinterpret_cast<const Table* (*)()>(load_module_entry(what, file, entry, flags))();
}

}  // namespace kcsim

// Output files, safely: every path checked before any work starts (a file, in a folder that
// exists, none of the run's inputs, no two the same), and written whole or not at all (under a
// temporary name in the same folder, then renamed into place), so an interrupted run never
// leaves a half-written file and no run writes over what it reads. Every kcsim writer goes
// through here.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace kcsim {

// An output a command will write, and the flag that named it (for messages; empty: none).
struct OutputPath {
  std::filesystem::path path;
  std::string flag;
};

// Whether `a` and `b` name the same file: std::filesystem::equivalent when both exist, else
// their weakly canonical forms compared.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// Throws InputError "command line: FLAG: PATH: what is wrong" (exit 2) unless every output
// names a file (not a folder) in a folder that exists, none is one of `inputs`, and no two are
// the same file. Writes nothing.
void check_outputs(const std::vector<OutputPath>& outputs,
                   const std::vector<std::filesystem::path>& inputs = {});

// Calls `write` with a stream onto a temporary sibling of `output.path`, then renames it into
// place. If `write` throws or any step fails, the temporary is removed and the path is
// untouched. A path that cannot be written (a folder, a missing folder, no permission) throws
// InputError naming it and the flag; exceptions from `write` pass through.
void write_file_atomically(const OutputPath& output,
                           const std::function<void(std::ostream&)>& write);
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

// The same for writers that create the file themselves (HDF5): `make` creates the temporary
// it is given; a temporary it leaves behind on failure is removed.
void replace_file_atomically(const OutputPath& output,
                             const std::function<void(const std::filesystem::path&)>& make);

// The temporary that writes to `path` go through in this process: PATH.tmp-PID.
std::filesystem::path temporary_sibling(const std::filesystem::path& path);

// Removes the temporaries of `path` (PATH.tmp-PID) whose process no longer runs, as a killed
// run leaves them; returns the paths removed.
std::vector<std::filesystem::path> remove_stale_temporaries(const std::filesystem::path& path);

}  // namespace kcsim

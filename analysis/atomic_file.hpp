// Output files appear whole or not at all: written under a temporary name in the same folder,
// then renamed into place, so an interrupted run never leaves a half-written file.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>

namespace kcsim {

// Calls `write` with a stream onto a temporary sibling of `path`, then renames it to `path`.
// If `write` throws or any step fails, the temporary is removed and `path` is untouched.
// A path that cannot be written (missing folder, no permission, a folder in the way) throws
// InputError naming it; exceptions from `write` pass through.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

}  // namespace kcsim

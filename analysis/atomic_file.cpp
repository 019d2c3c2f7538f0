#include "analysis/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {

namespace fs = std::filesystem;

namespace {

// The process id keeps two runs writing the same file from sharing a temporary.
fs::path temporary_sibling(const fs::path& path) {
  return path.parent_path() /
         fmt::format("{}.tmp-{}", path.filename().string(), static_cast<long>(::getpid()));
}

[[noreturn]] void throw_cannot_write(const fs::path& path, const std::string& reason) {
  throw InputError(fmt::format("{}: cannot write: {}", path.string(), reason));
}

}  // namespace

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  if (path.filename().empty()) throw_cannot_write(path, "the path names no file");
  const fs::path temporary = temporary_sibling(path);
  std::error_code ignored;

  errno = 0;
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  if (!out) {
    int error = errno;
    throw_cannot_write(path, error != 0 ? std::strerror(error) : "cannot create a file there");
  }
  try {
    write(out);
    out.flush();
    if (!out) {
      int error = errno;
      throw_cannot_write(path, error != 0 ? std::strerror(error) : "write failed");
    }
    out.close();
    if (out.fail()) throw_cannot_write(path, "closing the file failed");
  } catch (...) {
    out.close();
    fs::remove(temporary, ignored);
    throw;
  }

  std::error_code renamed;
  fs::rename(temporary, path, renamed);
  if (renamed) {
    fs::remove(temporary, ignored);
    throw_cannot_write(path, renamed.message());
  }
}

}  // namespace kcsim

#include "configs/loader/output_files.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTemporaryMark = ".tmp-";

[[noreturn]] void refuse(const OutputPath& output, const std::string& what) {
  std::string message = fmt::format("{}: {}", output.path.string(), what);
  if (output.flag.empty()) throw InputError(message);
  throw_input_error(Origin{}, output.flag, message);
}

// What keeps `output` from being written, before anything is: empty when nothing does.
std::string unwritable(const fs::path& path) {
  if (path.empty() || path.filename().empty() || path.filename() == "." ||
      path.filename() == "..") {
    return "names no file";
  }
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (fs::is_directory(status)) return "is a folder; name a file";
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    return "is not a regular file (a device, a pipe or a socket); name a file";
  }
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(folder, ec))
    return fmt::format("the folder {} does not exist", folder.string());
  return "";
}

// A symbolic link is written through: its target is replaced, the link stays.
fs::path destination(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(path, ec))) return path;
  fs::path target = fs::weakly_canonical(path, ec);
  return ec ? path : target;
}

void check_writable(const OutputPath& output) {
  std::string why = unwritable(output.path);
  if (!why.empty()) refuse(output, why);
}

void rename_into_place(const OutputPath& output, const fs::path& temporary, const fs::path& to) {
  std::error_code renamed;
  fs::rename(temporary, to, renamed);
  if (renamed) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    refuse(output, "cannot write: " + renamed.message());
  }
}

}  // namespace

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) {
    bool same = fs::equivalent(a, b, ec);
    if (!ec) return same;
  }
  fs::path ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
  fs::path cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
  return ca == cb;
}

void check_outputs(const std::vector<OutputPath>& outputs, const std::vector<fs::path>& inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const OutputPath& output = outputs[i];
    check_writable(output);
    for (const auto& input : inputs) {
      if (!input.empty() && same_file(output.path, input)) {
        refuse(output, fmt::format("is also an input of this run ({}); write the output elsewhere",
                                   input.string()));
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (same_file(output.path, outputs[j].path)) {
        std::string other = outputs[j].flag.empty()
                                ? outputs[j].path.string()
                                : outputs[j].flag + " " + outputs[j].path.string();
        refuse(output, fmt::format("is also the output {}; name two different files", other));
      }
    }
  }
}

fs::path temporary_sibling(const fs::path& path) {
  // The process id keeps two runs writing the same file from sharing a temporary.
  return path.parent_path() / fmt::format("{}{}{}", path.filename().string(), kTemporaryMark,
                                          static_cast<long>(::getpid()));
}

void write_file_atomically(const OutputPath& output,
                           const std::function<void(std::ostream&)>& write) {
  check_writable(output);
  const fs::path to = destination(output.path);
  const fs::path temporary = temporary_sibling(to);
  std::error_code ignored;

  errno = 0;
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  if (!out) {
    int error = errno;
    refuse(output, fmt::format("cannot write: {}",
                               error != 0 ? std::strerror(error) : "cannot create a file there"));
  }
  try {
    write(out);
    out.flush();
    if (!out) {
      int error = errno;
      refuse(output,
             fmt::format("cannot write: {}", error != 0 ? std::strerror(error) : "write failed"));
    }
    out.close();
    if (out.fail()) refuse(output, "cannot write: closing the file failed");
  } catch (...) {
    out.close();
    fs::remove(temporary, ignored);
    throw;
  }
  rename_into_place(output, temporary, to);
}

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  write_file_atomically(OutputPath{path, ""}, write);
}

void replace_file_atomically(const OutputPath& output,
                             const std::function<void(const fs::path&)>& make) {
  check_writable(output);
  const fs::path to = destination(output.path);
  const fs::path temporary = temporary_sibling(to);
  std::error_code ignored;
  try {
    make(temporary);
  } catch (...) {
    fs::remove(temporary, ignored);
    throw;
  }
  rename_into_place(output, temporary, to);
}

std::vector<fs::path> remove_stale_temporaries(const fs::path& path) {
  std::vector<fs::path> removed;
  const std::string prefix = path.filename().string() + kTemporaryMark;
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid == ::getpid()) continue;
    // A process that still runs may be writing it; one that is gone left it behind.
    if (pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH)) continue;
    std::error_code failed;
    if (entry.is_regular_file(failed) && fs::remove(entry.path(), failed)) {
      removed.push_back(entry.path());
    }
  }
  return removed;
}

}  // namespace kcsim

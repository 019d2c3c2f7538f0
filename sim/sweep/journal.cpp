#include "sim/sweep/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "sim/sweep/point_runner.hpp"

namespace kcsim::sweep {
namespace {

// Version 2: each record's rows carry the hash of the point's inputs.
constexpr int kFormat = 2;

std::string header(const std::string& fingerprint) {
  return nlohmann::ordered_json{{"kcsim_sweep_journal", kFormat}, {"fingerprint", fingerprint}}
      .dump();
}

// Whether `line` is the header of a journal in this format (of any sweep).
bool current_format(const std::string& line) {
  try {
    auto parsed = nlohmann::json::parse(line);
    return parsed.is_object() && parsed.value("kcsim_sweep_journal", 0) == kFormat;
  } catch (const std::exception&) {
    return false;
  }
}

void write_all(int fd, const std::string& text, const std::filesystem::path& path) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw InputError(fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
    }
    written += static_cast<size_t>(n);
  }
}

}  // namespace

Journal::Journal(std::filesystem::path path, const std::string& fingerprint, bool resume)
    : path_(std::move(path)), last_sync_(std::chrono::steady_clock::now()) {
  // Whole lines only: a record cut short by a kill is dropped, and the file cut back to it.
  off_t keep = 0;
  bool exists = resume && std::filesystem::exists(path_);
  if (exists) {
    std::ifstream in(path_, std::ios::binary);
    std::string line;
    bool first = true;
    off_t offset = 0;
    while (std::getline(in, line)) {
      bool whole = !in.eof();
      off_t next = offset + static_cast<off_t>(line.size()) + 1;
      if (!whole) break;
      if (first) {
        if (line != header(fingerprint)) {
          // An older kcsim's journal names no inputs: none of its points can be kept.
          if (!current_format(line)) break;
          throw InputError(fmt::format(
              "{}: journal: it belongs to another sweep (its name, axes or engine differ); pass "
              "--no-resume to start over, or choose another --out",
              path_.string()));
        }
        first = false;
      } else {
        try {
          loaded_[record_point(line)] = line;
        } catch (const std::exception&) {
          break;
        }
      }
      keep = next;
      offset = next;
    }
    if (first) exists = false;  // not even a header: start over
  }
  // A new journal appears whole, header and all, in place of whatever was there.
  if (!exists) {
    write_file_atomically({path_, "--out"},
                          [&](std::ostream& out) { out << header(fingerprint) << "\n"; });
    keep = static_cast<off_t>(header(fingerprint).size() + 1);
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw InputError(fmt::format("{}: cannot write: {}", path_.string(), std::strerror(errno)));
  }
  if (::ftruncate(fd_, keep) != 0 || ::lseek(fd_, keep, SEEK_SET) < 0) {
    throw InputError(fmt::format("{}: cannot write: {}", path_.string(), std::strerror(errno)));
  }
  sync();
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const std::string& record) {
  write_all(fd_, record + "\n", path_);
  if (std::chrono::steady_clock::now() - last_sync_ > std::chrono::seconds(1)) sync();
}

void Journal::sync() {
  if (fd_ >= 0) ::fdatasync(fd_);
  last_sync_ = std::chrono::steady_clock::now();
}

void Journal::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

}  // namespace kcsim::sweep

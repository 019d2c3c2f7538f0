#include "sim/sweep/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "configs/loader/errors.hpp"
#include "sim/sweep/point_runner.hpp"

namespace kcsim::sweep {
namespace {

std::string header(const std::string& fingerprint) {
  return nlohmann::ordered_json{{"kcsim_sweep_journal", 1}, {"fingerprint", fingerprint}}.dump();
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
        first = false;
        if (line != header(fingerprint)) {
          throw InputError(fmt::format(
              "{}: journal: it belongs to another sweep (or engine); pass --no-resume to start "
              "over, or choose another --out",
              path_.string()));
        }
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
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exists ? 0 : O_TRUNC);
  fd_ = ::open(path_.c_str(), flags, 0644);
  if (fd_ < 0) {
    throw InputError(fmt::format("{}: cannot write: {}", path_.string(), std::strerror(errno)));
  }
  if (exists) {
    if (::ftruncate(fd_, keep) != 0 || ::lseek(fd_, keep, SEEK_SET) < 0) {
      throw InputError(fmt::format("{}: cannot write: {}", path_.string(), std::strerror(errno)));
    }
  } else {
    write_all(fd_, header(fingerprint) + "\n", path_);
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

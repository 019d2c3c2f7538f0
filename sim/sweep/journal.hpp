// The record of finished points kept next to a sweep's output while it runs: one JSON line per
// point, appended as each finishes (a kill loses at most the line being written, which is
// dropped on reading) and flushed to disk at least once a second. A sweep started again reads
// it to skip what is done.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>

namespace kcsim::sweep {

class Journal {
 public:
  // Opens the journal at `path`. With `resume`, the records already there are loaded (a
  // journal of another sweep, by `fingerprint`, throws InputError; one in an older format is
  // started over); without, it starts empty. A point recorded twice keeps its last record.
  Journal(std::filesystem::path path, const std::string& fingerprint, bool resume);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Point index -> record line, as loaded.
  const std::map<size_t, std::string>& loaded() const { return loaded_; }
  void append(const std::string& record);
  void sync();
  // Closes and deletes the file (the sweep's output holds everything now).
  void remove();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::map<size_t, std::string> loaded_;
  std::chrono::steady_clock::time_point last_sync_;
};

}  // namespace kcsim::sweep

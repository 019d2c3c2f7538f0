// Input files: opened only when they are regular files (not a folder, a FIFO or a device), read
// whole up to a size bound, and the cells of a line of CSV.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace kcsim::config {

// The largest config file (scenario, sweep, catalog entry, validation case) kcsim reads.
constexpr std::uintmax_t kMaxConfigFileBytes = 16u << 20;

// The file opened for reading; throws InputError "PATH: file: ..." when it does not exist, is
// not a regular file, or cannot be read.
std::ifstream open_input_file(const std::filesystem::path& path);

// The file's bytes; throws InputError as open_input_file does, and when it holds more than
// `max_bytes`.
std::string read_text_file(const std::filesystem::path& path,
                           std::uintmax_t max_bytes = kMaxConfigFileBytes);

// The cells of one CSV line, split at every comma, each trimmed of spaces, tabs, double quotes
// and a carriage return ("a, b," gives "a", "b", "").
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace kcsim::config

// Plain text files: a whole file read in, and the cells of a line of CSV.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kcsim::config {

// The file's bytes; throws InputError "PATH: file: cannot be opened" when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

// The cells of one CSV line, split at every comma, each trimmed of spaces, tabs, double quotes
// and a carriage return ("a, b," gives "a", "b", "").
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace kcsim::config

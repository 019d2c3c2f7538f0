#include "configs/loader/text_files.hpp"

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim::config {

std::ifstream open_input_file(const std::filesystem::path& path) {
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) {
    throw InputError(fmt::format("{}: file: does not exist", path.string()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw InputError(
        fmt::format("{}: file: is not a regular file (a folder, device or pipe)", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: file: cannot be opened", path.string()));
  return in;
}

std::string read_text_file(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  std::ifstream in = open_input_file(path);
  std::error_code error;
  std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > max_bytes) {
    throw InputError(
        fmt::format("{}: file: {} bytes; at most {} are read", path.string(), size, max_bytes));
  }
  std::string text;
  text.resize(static_cast<size_t>(error ? 0 : size));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.peek() != std::ifstream::traits_type::eof()) {
    throw InputError(fmt::format("{}: file: changed while it was read", path.string()));
  }
  return text;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (char c : line) {
    if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell.push_back(c);
    }
  }
  cells.push_back(cell);
  for (auto& text : cells) {
    auto first = text.find_first_not_of(" \t\"");
    auto last = text.find_last_not_of(" \t\"");
    text = first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
  }
  return cells;
}

}  // namespace kcsim::config

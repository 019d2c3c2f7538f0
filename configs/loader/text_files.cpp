#include "configs/loader/text_files.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim::config {

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: file: cannot be opened", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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

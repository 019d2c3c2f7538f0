#include "analysis/csv_table.hpp"

namespace kcsim {
namespace {

void write_field(std::ostream& out, const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) {
    out << text;
    return;
  }
  out << '"';
  for (char c : text) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

}  // namespace

void write_csv_table(std::ostream& out, const SweepTable& table) {
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (c > 0) out << ',';
    write_field(out, table.columns[c].name);
  }
  out << '\n';
  for (size_t r = 0; r < table.rows; ++r) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (c > 0) out << ',';
      write_field(out, table.cell(table.columns[c], r));
    }
    out << '\n';
  }
}

}  // namespace kcsim

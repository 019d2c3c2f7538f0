// Plain-text tables for people: columns padded to their widest cell.
#pragma once

#include <string>
#include <vector>

namespace kcsim {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  // Headers, a rule, then the rows; the first column left-aligned, the others right-aligned.
  std::string str() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace kcsim

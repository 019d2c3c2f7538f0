#include "configs/loader/errors.hpp"

#include <fmt/format.h>

namespace kcsim {

std::string Origin::str() const {
  if (file.empty()) return "command line";
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

void throw_input_error(const Origin& origin, const std::string& field, const std::string& what) {
  throw InputError(fmt::format("{}: {}: {}", origin.str(), field, what));
}

}  // namespace kcsim

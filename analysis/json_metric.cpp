#include "analysis/json_metric.hpp"

#include <string>

namespace kcsim {

const Json* find_metric(const Json& out, std::string_view path) {
  const Json* at = &out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string key(path.substr(start, dot == std::string_view::npos ? path.npos : dot - start));
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return at->is_number() ? at : nullptr;
}

}  // namespace kcsim

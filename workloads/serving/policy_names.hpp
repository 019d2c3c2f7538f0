// Names of registered policies as help and error texts list them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kcsim::serving {

// "a, b or c" ("a" alone, "a or b" for two).
std::string or_list(const std::vector<std::string>& names);

// The `name` of every entry of a registry, in its order.
template <class Entry>
std::vector<std::string> policy_names(const std::vector<Entry>& entries) {
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (const auto& entry : entries) names.emplace_back(entry.name);
  return names;
}

}  // namespace kcsim::serving

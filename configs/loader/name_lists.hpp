// Names of registered things (schedulers, routers, collective algorithms) as help and error texts
// list them, and a registry's lookup by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kcsim {

// "a, b or c" ("a" alone, "a or b" for two).
std::string or_list(const std::vector<std::string>& names);

// The `name` of every entry of a registry, in its order.
template <class Entry>
std::vector<std::string> names_of(const std::vector<Entry>& entries) {
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (const auto& entry : entries) names.emplace_back(entry.name);
  return names;
}

// The entry of `entries` called `name`; nullptr when there is none.
template <class Entry>
const Entry* find_named(const std::vector<Entry>& entries, std::string_view name) {
  for (const auto& entry : entries) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace kcsim

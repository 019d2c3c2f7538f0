#include <stdexcept>
#include <string>

#include "configs/loader/name_lists.hpp"
#include "sim/cost/collective_algorithms/collective_algorithms.hpp"

namespace kcsim {

const std::vector<CollectiveAlgorithm>& collective_algorithms() {
#define KCSIM_LIST_COLLECTIVE_ALGORITHM(name) name##_algorithm(),
  static const std::vector<CollectiveAlgorithm> kAlgorithms = {
      KCSIM_COLLECTIVE_ALGORITHMS(KCSIM_LIST_COLLECTIVE_ALGORITHM)};
#undef KCSIM_LIST_COLLECTIVE_ALGORITHM
  return kAlgorithms;
}

const CollectiveAlgorithm* find_collective_algorithm(std::string_view name) {
  return find_named(collective_algorithms(), name);
}

std::optional<Algorithm> Algorithm::parse(std::string_view name) {
  if (name == "auto") return Algorithm();
  if (const CollectiveAlgorithm* fixed = find_collective_algorithm(name)) return Algorithm(fixed);
  return std::nullopt;
}

Algorithm Algorithm::named(std::string_view name) {
  const CollectiveAlgorithm* fixed = find_collective_algorithm(name);
  if (!fixed) {
    throw std::invalid_argument("unknown collective algorithm \"" + std::string(name) + "\"");
  }
  return Algorithm(fixed);
}

std::string algorithm_names() {
  std::vector<std::string> names = names_of(collective_algorithms());
  names.insert(names.begin(), "auto");
  return or_list(names);
}

}  // namespace kcsim

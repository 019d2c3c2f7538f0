// How a collective's stage between servers runs: the algorithm interface, the registry of the
// algorithms a job may name (collective_algorithms/registry.cpp), and a job's choice among them.
// Each algorithm is a file in collective_algorithms/; adding one is that file and its name on
// the list in collective_algorithms/collective_algorithms.hpp. Both engines price and run a
// stage from the shape its algorithm gives (collectives.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cost/collective_shape.hpp"

namespace kcsim {

struct CollectiveAlgorithm {
  std::string_view name;
  std::string_view summary;
  // Whether a job's "auto" weighs this algorithm: the ones NCCL's tuner chooses among.
  bool tuned = false;
  // The shape of one stage of `kind` over `members` devices, each holding `bytes`; nullopt
  // where the algorithm does not run `kind` (a ring then runs).
  std::optional<RingShape> (*shape)(Collective kind, int members, double bytes,
                                    const CollectiveProtocol& protocol);
};

// Every algorithm, in the order help and error texts list them; the first (the ring) runs every
// collective and is what the others fall back to.
const std::vector<CollectiveAlgorithm>& collective_algorithms();
const CollectiveAlgorithm* find_collective_algorithm(std::string_view name);

// A job's choice for its stages between servers: one algorithm, or auto (the fastest of the
// tuned ones for each stage's size and group, as NCCL's tuner picks).
class Algorithm {
 public:
  Algorithm() = default;  // auto
  // "auto" or an algorithm's name; nullopt for anything else.
  static std::optional<Algorithm> parse(std::string_view name);
  // An algorithm by name; std::invalid_argument when there is none.
  static Algorithm named(std::string_view name);
  // The ring, the registry's first entry.
  static Algorithm ring() { return Algorithm(&collective_algorithms().front()); }

  const CollectiveAlgorithm* fixed() const { return fixed_; }  // nullptr: auto
  std::string_view name() const { return fixed_ ? fixed_->name : "auto"; }
  bool operator==(const Algorithm& other) const { return fixed_ == other.fixed_; }

 private:
  explicit Algorithm(const CollectiveAlgorithm* fixed) : fixed_(fixed) {}
  const CollectiveAlgorithm* fixed_ = nullptr;
};

// "auto, ring, tree or halving-doubling": every choice, for help and error texts.
std::string algorithm_names();

}  // namespace kcsim

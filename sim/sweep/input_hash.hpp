// What a sweep point is computed from, as one content hash: this kcsim's version, the sweep
// file and its base file, every catalog file (configs/**/*.textproto under the catalog root),
// the point's resolved scenario, and the request trace it names. A point is resumed only when
// the hash it was recorded with is the hash of today's inputs; any change recomputes it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "configs/loader/catalog.hpp"
#include "scenario.pb.h"
#include "sim/sweep/sweep_plan.hpp"

namespace kcsim::sweep {

// FNV-1a, 64 bits, over length-prefixed parts: a name for inputs, not a defence against
// tampering.
class ContentHash {
 public:
  ContentHash& add(std::string_view part);
  std::string hex() const;  // 16 hexadecimal digits

 private:
  uint64_t hash_ = 1469598103934665603ULL;
};

// This kcsim's version, as the files it writes name it ("kcsim 0.1.0").
std::string kcsim_version();

class InputHasher {
 public:
  // Reads the catalog files and the sweep's files once; keeps a reference to `plan`.
  InputHasher(const SweepPlan& plan, const config::Catalog& catalog);

  // The hash of point `index` (its scenario resolved from the plan), or of a scenario.
  std::string point(size_t index) const;
  std::string point(const config::Scenario& scenario) const;

  // Every file the sweep reads, for the check that no output overwrites one: the sweep file,
  // its base file, the catalog files, and the base scenario's request trace.
  const std::vector<std::filesystem::path>& files() const { return files_; }

 private:
  std::string trace_hash(const std::string& trace) const;

  const SweepPlan& plan_;
  std::filesystem::path folder_;  // the sweep file's
  std::string shared_;            // version, sweep text, catalog
  std::vector<std::filesystem::path> files_;
  std::filesystem::path base_folder_;                  // the base file's, when it has one
  mutable std::map<std::string, std::string> traces_;  // trace path -> its content's hash
};

}  // namespace kcsim::sweep

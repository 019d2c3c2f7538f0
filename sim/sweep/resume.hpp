// What an earlier run of a sweep left behind, and which of it this run keeps: the records in
// OUT and OUT.journal whose inputs hash is the hash of today's inputs. A point recorded from
// other inputs (a chip file edited, the sweep file changed, another kcsim version) is
// recomputed, and counted.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>

#include "sim/sweep/input_hash.hpp"
#include "sim/sweep/record_table.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace kcsim::sweep {

using Records = std::map<size_t, FlatRecord>;  // point index -> its record, read

// The axes' field paths, one per line (the file's "axes" attribute).
std::string axes_text(const SweepPlan& plan);

// Names the sweep, not its inputs: its name, its axes and the engine. An output or journal of
// another sweep is refused rather than resumed or overwritten.
std::string sweep_fingerprint(const SweepPlan& plan);

// The records an earlier run of this sweep left in `out` (none when it does not exist). Throws
// InputError when `out` holds another sweep's results.
Records records_in_output(const SweepPlan& plan, const std::filesystem::path& out);

// Removes the records of points the plan does not have or whose inputs changed since they
// were computed; returns how many were removed.
size_t drop_changed(Records& records, const SweepPlan& plan, const InputHasher& inputs);

}  // namespace kcsim::sweep

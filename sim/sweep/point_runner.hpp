// One sweep point run through the same code as `kcsim run`, and its outcome as rows of the
// sweep table: a row per cluster run, with the point's status (ok, infeasible, invalid,
// failed) and its error in words.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/sweep_table.hpp"
#include "configs/loader/catalog.hpp"
#include "sim/sweep/input_hash.hpp"
#include "sim/sweep/record_table.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace kcsim::sweep {

// The point's record: {"point": i, "rows": [{...}, ...]} on one line, each row carrying the
// hash of the point's inputs. Never throws for what the point does (bad input, infeasible,
// internal errors become its status).
std::string run_point(const SweepPlan& plan, size_t index, const config::Catalog& catalog,
                      const InputHasher& inputs);

// The record of a point that did not finish (its worker crashed or ran out of time).
std::string failed_point(const SweepPlan& plan, size_t index, const std::string& error,
                         const InputHasher& inputs);

// The point index of a record line; throws on a line that is not a record.
size_t record_point(const std::string& record);

// The table's own columns before the run columns: point, run, status, error, inputs_hash, then
// one per axis named "axis." and its field path.
std::vector<ColumnSpec> sweep_columns(const SweepPlan& plan);

// Every record's rows, in the order given.
std::vector<Json> record_rows(const std::vector<std::string>& records);

}  // namespace kcsim::sweep

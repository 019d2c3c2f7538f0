// A sweep file read and checked: the base scenario, each axis's values, and the map from a
// point's index to the value of every axis. Points are numbered like nested loops over the
// axes in file order (the first axis outermost); zipped axes advance together.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "scenario.pb.h"
#include "sim/sweep/field_path.hpp"

namespace kcsim::sweep {

struct Axis {
  FieldPath path;
  std::vector<std::string> values;  // as text, each already checked against the field's type
  int dimension = 0;                // its place in the product (zipped axes share one)
};

struct SweepPlan {
  std::string file;       // the sweep file as named on the command line
  std::string base_file;  // the base scenario's file, as resolved; empty when inline
  std::string name, description;
  std::string text;  // the sweep file's text, and the base file's after it when there is one
  config::Scenario base;
  std::vector<Axis> axes;
  std::vector<size_t> dimension_sizes;
  size_t points = 1;

  // Axis values of point `index` (< points), one per axis.
  std::vector<const std::string*> values_of(size_t index) const;
  // The base scenario with point `index`'s values written in.
  config::Scenario scenario_of(size_t index) const;
};

// Reads and checks a sweep file: bad paths, values that do not read as their field's type,
// ranges, zips of unequal length all throw InputError naming file:line:column and the axis.
// A non-empty `engine` replaces the base scenario's.
SweepPlan load_sweep(const std::filesystem::path& file, const std::string& engine = "");

// The values of a range, each written as the shortest text that reads back the same number.
std::vector<std::string> range_values(double start, double stop, double step, double factor);

}  // namespace kcsim::sweep

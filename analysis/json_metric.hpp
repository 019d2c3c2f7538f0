// A number inside an output object by its dotted key path ("training.training_run.co2_t"): how
// validation cases and a scenario's published claims name what they compare.
#pragma once

#include <string_view>

#include "analysis/json_writer.hpp"

namespace kcsim {

// The number at `path`, or nullptr when a key is missing or the value is not a number.
const Json* find_metric(const Json& out, std::string_view path);

}  // namespace kcsim

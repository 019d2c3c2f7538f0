// Names and sizes of numeric formats.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chip.pb.h"

namespace kcsim {

using config::Dtype;

// "bf16", "fp8", ... (lower case, as the command line takes them).
std::string dtype_name(Dtype dtype);
// Parses "bf16", "BF16", ...; nullopt when the name is not a dtype.
std::optional<Dtype> parse_dtype(std::string_view name);
// Bytes per element; int4 is 0.5.
double dtype_bytes(Dtype dtype);

}  // namespace kcsim

// The jobs the `train` and `serve` flags build, checked against the schema's allowed values
// (configs/loader/field_checks.hpp) with errors that name the flag that set the value.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "configs/loader/dtype.hpp"

namespace kcsim::cli {

// The dtype a flag names ("bf16", "fp8", ...); InputError naming the flag otherwise.
Dtype dtype_flag(const std::string& value, const char* flag);

// Throws InputError "command line: --flag: must lie in [...]" for the first value out of range.
void check_flag_values(const google::protobuf::Message& job);

}  // namespace kcsim::cli

// The jobs the `train` and `serve` flags build, checked against the schema's allowed values
// (configs/loader/field_checks.hpp) with errors that name the flag that set the value.
#pragma once

#include <google/protobuf/message.h>

namespace kcsim::cli {

// Throws InputError "command line: --flag: must lie in [...]" for the first value out of range.
void check_flag_values(const google::protobuf::Message& job);

}  // namespace kcsim::cli

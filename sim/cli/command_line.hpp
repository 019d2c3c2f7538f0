// The kcsim command line as a function: the kcsim binary's main and the Python module (python/)
// both run their commands through it, so that both have the same flags, defaults and checks.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analysis/json_writer.hpp"
// A caller stops a long command, or hears its progress, through run_control.hpp.
#include "configs/loader/run_control.hpp"

namespace kcsim::cli {

// 128 + SIGINT, as a shell reports a command that Ctrl-C stopped.
constexpr int kExitInterrupted = 130;

// Parses `args` (the words after the program's name), runs the subcommand, and writes its output
// to `output` whole once it has succeeded (an error leaves nothing half-written) and its errors
// to `errors`. Returns the exit code: 0, 2 for bad input, 3 for an infeasible job, 1 for an
// internal error, kExitInterrupted when a stop was asked for (configs/loader/run_control.hpp).
int run_command_line(const std::vector<std::string>& args, std::ostream& output,
                     std::ostream& errors);
// The same, with what a --json command would print stored in `*json` as the object instead.
int run_command_line(const std::vector<std::string>& args, Json* json, std::ostream& errors);

}  // namespace kcsim::cli

// The kcsim command line as a function: the kcsim binary's main and the Python module (python/)
// both run their commands through it, so that both have the same flags, defaults and checks.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace kcsim::cli {

// Parses `args` (the words after the program's name), runs the subcommand, and writes its output
// to `output` whole once it has succeeded (an error leaves nothing half-written) and its errors
// to `errors`. Returns the exit code: 0, 2 for bad input, 3 for an infeasible job, 1 for an
// internal error.
int run_command_line(const std::vector<std::string>& args, std::ostream& output,
                     std::ostream& errors);

}  // namespace kcsim::cli

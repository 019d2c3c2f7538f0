// Runs the built kcsim binary as a user would and captures what it says.
#pragma once

#include <string>

namespace kcsim::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `arguments` is appended to the binary's path as shell words; the catalog is the source tree's.
CommandResult run_kcsim(const std::string& arguments);

// Writes `text` to a fresh file with this name in a temporary folder and returns its path.
std::string write_temp_file(const std::string& name, const std::string& text);

}  // namespace kcsim::test

// The kcsim command.
#include <iostream>
#include <string>
#include <vector>

#include "sim/cli/command_line.hpp"

int main(int argc, char** argv) {
  return kcsim::cli::run_command_line(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                      std::cerr);
}

// The kcsim command.
#include <signal.h>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "configs/loader/run_control.hpp"
#include "sim/cli/command_line.hpp"
#include "sim/sweep/mpi_points.hpp"

namespace {

// The first Ctrl-C asks the run to stop cleanly (a sweep keeps what it finished, writes its
// output whole and exits 130); a second one ends the process at once.
void on_interrupt(int) {
  if (kcsim::interrupt_requested()) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  kcsim::request_interrupt();
}

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun the ranks of an MPI sweep do not check for a stop: Ctrl-C ends them at once,
  // as mpirun expects.
  if (!kcsim::sweep::mpi::launched()) {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
  }
  return kcsim::cli::run_command_line(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                      std::cerr);
}

// _kcsim: the kcsim command line run inside the Python process. The kcsim package
// (python/kcsim/__init__.py) turns keyword arguments into its words and its JSON into dicts.
#include <sstream>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "sim/cli/command_line.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_kcsim, m) {
  m.doc() = "The kcsim command line, run in this process (use the kcsim package).";
  m.def(
      "call",
      [](const std::vector<std::string>& args) {
        std::ostringstream output, errors;
        int code = 0;
        {
          // Other Python threads run meanwhile; the command touches no Python object.
          py::gil_scoped_release release;
          code = kcsim::cli::run_command_line(args, output, errors);
        }
        return py::make_tuple(code, output.str(), errors.str());
      },
      py::arg("args"),
      "Runs `kcsim ARGS...`; returns (exit code, what it printed, what it said on stderr).");
}

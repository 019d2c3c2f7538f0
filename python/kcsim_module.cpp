// _kcsim: the kcsim command line run inside the Python process. The kcsim package
// (python/kcsim/__init__.py) turns keyword arguments into its words and its JSON into dicts.
#include <signal.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "sim/cli/command_line.hpp"

namespace py = pybind11;

namespace {

void on_interrupt(int) { kcsim::request_interrupt(); }

// While a command runs, Ctrl-C (SIGINT) asks it to stop (run_control.hpp) instead of setting
// Python's flag, which nothing would look at until the command returned. Only Python's main
// thread handles signals, so a call from another thread leaves the handler alone, as does a
// process that ignores SIGINT.
class InterruptScope {
 public:
  explicit InterruptScope(bool main_thread) {
    kcsim::clear_interrupt();
    if (!main_thread) return;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    struct sigaction current {};
    if (sigaction(SIGINT, nullptr, &current) != 0 || current.sa_handler == SIG_IGN) return;
    installed_ = sigaction(SIGINT, &action, &previous_) == 0;
  }
  ~InterruptScope() {
    if (installed_) sigaction(SIGINT, &previous_, nullptr);
    kcsim::clear_interrupt();
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  bool installed_ = false;
  struct sigaction previous_ {};
};

// Hands the command's progress reports to a Python callable, holding the GIL for the call. An
// exception the callable raises stops the command, and the call raises it.
class ProgressScope {
 public:
  explicit ProgressScope(const py::object& callback) {
    if (callback.is_none()) return;
    kcsim::set_progress_listener([this, callback](const kcsim::ProgressReport& report) {
      py::gil_scoped_acquire acquire;
      if (raised_) return;
      try {
        callback(report.done, report.total, report.rate_per_s, report.elapsed_s);
      } catch (py::error_already_set& e) {
        raised_.emplace(std::move(e));
        kcsim::request_interrupt();
      }
    });
  }
  ~ProgressScope() { kcsim::set_progress_listener({}); }
  ProgressScope(const ProgressScope&) = delete;
  ProgressScope& operator=(const ProgressScope&) = delete;

  // Raises what the callable raised, if it did.
  void rethrow() {
    if (!raised_) return;
    py::error_already_set error = std::move(*raised_);
    raised_.reset();
    error.restore();
    throw py::error_already_set();
  }

 private:
  std::optional<py::error_already_set> raised_;
};

bool in_main_thread() {
  auto threading = py::module_::import("threading");
  return threading.attr("current_thread")().is(threading.attr("main_thread")());
}

// A --json result as Python objects: objects as dicts in their key order, numbers as int or
// float, and NaN or infinity as None, as the printed JSON (null) reads back.
py::object to_python(const kcsim::Json& json) {
  using Type = kcsim::Json::value_t;
  switch (json.type()) {
    case Type::object: {
      py::dict dict;
      for (const auto& [key, value] : json.items()) dict[py::str(key)] = to_python(value);
      return dict;
    }
    case Type::array: {
      py::list list(json.size());
      for (size_t i = 0; i < json.size(); ++i) list[i] = to_python(json[i]);
      return list;
    }
    case Type::string:
      return py::str(json.get_ref<const std::string&>());
    case Type::boolean:
      return py::bool_(json.get<bool>());
    case Type::number_integer:
      return py::int_(json.get<std::int64_t>());
    case Type::number_unsigned:
      return py::int_(json.get<std::uint64_t>());
    case Type::number_float: {
      double value = json.get<double>();
      if (!std::isfinite(value)) return py::none();
      return py::float_(value);
    }
    default:
      return py::none();
  }
}

// Runs the command line through `run` (exit code), stoppable by Ctrl-C and reporting progress
// to `progress`; raises KeyboardInterrupt (or what `progress` raised) when it was stopped.
template <class Run>
int run_interruptibly(const py::object& progress, Run&& run) {
  int code = 0;
  ProgressScope listening(progress);
  {
    InterruptScope interruptible(in_main_thread());
    // Other Python threads run meanwhile; the command touches no Python object but the progress
    // callable, for which the listener takes the GIL back.
    py::gil_scoped_release release;
    code = run();
  }
  if (code == kcsim::cli::kExitInterrupted) {
    listening.rethrow();
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  return code;
}

}  // namespace

PYBIND11_MODULE(_kcsim, m) {
  m.doc() = "The kcsim command line, run in this process (use the kcsim package).";
  m.def(
      "call",
      [](const std::vector<std::string>& args, const py::object& progress) {
        std::ostringstream output, errors;
        int code = run_interruptibly(
            progress, [&] { return kcsim::cli::run_command_line(args, output, errors); });
        return py::make_tuple(code, output.str(), errors.str());
      },
      py::arg("args"), py::arg("progress") = py::none(),
      "Runs `kcsim ARGS...`; returns (exit code, what it printed, what it said on stderr).\n"
      "`progress`, if given, is called as progress(done, total, rate_per_s, elapsed_s) while a\n"
      "sweep runs. Ctrl-C stops the command cleanly and raises KeyboardInterrupt.");
  m.def(
      "call_json",
      [](const std::vector<std::string>& args, const py::object& progress) {
        kcsim::Json json;
        std::ostringstream errors;
        int code = run_interruptibly(
            progress, [&] { return kcsim::cli::run_command_line(args, &json, errors); });
        return py::make_tuple(code, json.is_null() ? py::none() : to_python(json), errors.str());
      },
      py::arg("args"), py::arg("progress") = py::none(),
      "Runs `kcsim ARGS... --json`-style: returns (exit code, the JSON result as Python objects\n"
      "or None, what it said on stderr), the object built from the result, not read from text.");
}

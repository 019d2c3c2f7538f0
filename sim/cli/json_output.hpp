// Where a command's --json result goes: printed as text, or handed over as the object itself to
// a caller in the same process (the Python module), which then needs no text to parse.
#pragma once

#include <ostream>

#include "analysis/json_writer.hpp"

namespace kcsim::cli {

// Prints `json` to `out` (dump(): two-space indented, a final newline), or moves it into the
// capture of this thread when one is open.
void print_json(std::ostream& out, Json json);

// While it lives, print_json() in this thread stores into `*into` instead of printing.
class JsonCapture {
 public:
  explicit JsonCapture(Json* into);
  ~JsonCapture();
  JsonCapture(const JsonCapture&) = delete;
  JsonCapture& operator=(const JsonCapture&) = delete;

 private:
  Json* previous_;
};

}  // namespace kcsim::cli

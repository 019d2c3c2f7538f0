// The two kinds of user-facing failure, each with its exit code (see DESIGN.md).
#pragma once

#include <stdexcept>
#include <string>

namespace kcsim {

// Bad input: a file that does not parse, a field out of range, an unknown catalog name.
// The message reads "file:line:column: field: what is wrong". Exit code 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// A well-formed scenario that cannot run: the model does not fit, the chip lacks the dtype,
// TP does not divide the heads. The message says why and what would fit. Exit code 3.
class InfeasibleError : public std::runtime_error {
 public:
  explicit InfeasibleError(const std::string& message) : std::runtime_error(message) {}
};

// Where a value came from, for error messages: a file position, or a command-line flag.
struct Origin {
  std::string file;  // empty when the value came from the command line
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown

  std::string str() const;
};

// "origin: field: what".
[[noreturn]] void throw_input_error(const Origin& origin, const std::string& field,
                                    const std::string& what);

}  // namespace kcsim

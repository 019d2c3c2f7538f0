// SimGrid keeps one engine per process: each event-engine run happens in a child process, so a
// scenario of several clusters, a sweep or a test suite can run many.
#pragma once

#include <functional>
#include <string>

#include "analysis/json_writer.hpp"

namespace kcsim::event {

// Runs `body` in a forked child and returns the string it returned. A body that throws, or a
// child that dies, comes back as a std::runtime_error here.
std::string run_isolated(const std::function<std::string()>& body);

// How every engine run's result crosses the fork: `body` returns the result as JSON (the keys
// its --json output uses, and what else the parent needs), carried as CBOR so that every double
// comes back bit for bit, and large results (a serving run's requests) stay compact.
Json run_isolated_json(const std::function<Json()>& body);

}  // namespace kcsim::event

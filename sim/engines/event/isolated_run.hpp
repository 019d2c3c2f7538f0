// SimGrid keeps one engine per process: each event-engine run happens in a child process, so a
// scenario of several clusters, a sweep or a test suite can run many.
#pragma once

#include <functional>
#include <string>

namespace kcsim::event {

// Runs `body` in a forked child and returns the string it returned. A body that throws, or a
// child that dies, comes back as a std::runtime_error here.
std::string run_isolated(const std::function<std::string()>& body);

}  // namespace kcsim::event

// SimGrid keeps one engine per process: event-engine tests run each simulation in a child.
#pragma once

#include <functional>
#include <string>

namespace kcsim::test {

// Runs `body` in a forked child and returns the string it returned. A body that throws, or a
// child that dies, comes back as a std::runtime_error here.
std::string in_child_process(const std::function<std::string()>& body);

}  // namespace kcsim::test

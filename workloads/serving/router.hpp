// Which replica a new request goes to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kcsim::serving {

enum class RouterKind { RoundRobin, LeastOutstanding, ShortestQueueTokens };

// The replicas' load as the router sees it.
struct ReplicaLoad {
  int64_t outstanding_requests = 0;
  int64_t outstanding_tokens = 0;  // prompt tokens still to prefill plus tokens still to emit
};

class Router {
 public:
  explicit Router(RouterKind kind) : kind_(kind) {}
  // Round robin cycles; the others pick the least loaded (the lowest index on a tie).
  int pick(const std::vector<ReplicaLoad>& loads);

 private:
  RouterKind kind_;
  size_t next_ = 0;
};

// "round-robin", "least-outstanding", "jsq-tokens"; nullopt-like false on anything else.
bool parse_router(const std::string& name, RouterKind& kind);

}  // namespace kcsim::serving

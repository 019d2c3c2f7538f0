#include "workloads/serving/router.hpp"

namespace kcsim::serving {

int Router::pick(const std::vector<ReplicaLoad>& loads) {
  if (loads.empty()) return -1;
  if (kind_ == RouterKind::RoundRobin) return static_cast<int>(next_++ % loads.size());
  size_t best = 0;
  for (size_t i = 1; i < loads.size(); ++i) {
    bool better = kind_ == RouterKind::LeastOutstanding
                      ? loads[i].outstanding_requests < loads[best].outstanding_requests
                      : loads[i].outstanding_tokens < loads[best].outstanding_tokens;
    if (better) best = i;
  }
  return static_cast<int>(best);
}

bool parse_router(const std::string& name, RouterKind& kind) {
  if (name == "round-robin")
    kind = RouterKind::RoundRobin;
  else if (name == "least-outstanding")
    kind = RouterKind::LeastOutstanding;
  else if (name == "jsq-tokens")
    kind = RouterKind::ShortestQueueTokens;
  else
    return false;
  return true;
}

}  // namespace kcsim::serving

// Join the shortest queue, counted in tokens: the replica with the fewest prompt tokens still to
// prefill plus tokens still to emit (the lowest index on a tie), so one long prompt weighs what
// it costs.
#include "workloads/serving/routers/routers.hpp"

namespace kcsim::serving {
namespace {

class ShortestQueueTokens final : public Router {
 public:
  int pick(const std::vector<ReplicaLoad>& loads) override {
    size_t best = 0;
    for (size_t i = 1; i < loads.size(); ++i) {
      if (loads[i].outstanding_tokens < loads[best].outstanding_tokens) best = i;
    }
    return static_cast<int>(best);
  }
};

}  // namespace

RouterPolicy jsq_tokens_router() {
  return {"jsq-tokens", "the replica with the fewest tokens still to prefill and emit",
          []() -> std::unique_ptr<Router> { return std::make_unique<ShortestQueueTokens>(); }};
}

}  // namespace kcsim::serving

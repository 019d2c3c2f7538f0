// Join the shortest queue, counted in tokens: the replica with the fewest prompt tokens still to
// prefill plus tokens still to emit (the lowest index on a tie), so one long prompt weighs what
// it costs.
#include "workloads/serving/routers/routers.hpp"

namespace kcsim::serving {
namespace {

class ShortestQueueTokens final : public Router {
 public:
  int pick(const std::vector<ReplicaLoad>& loads) override {
    return least_loaded(loads, &ReplicaLoad::outstanding_tokens);
  }
};

}  // namespace

RouterPolicy jsq_tokens_router() {
  return {"jsq-tokens", "the replica with the fewest tokens still to prefill and emit",
          []() -> std::unique_ptr<Router> { return std::make_unique<ShortestQueueTokens>(); }};
}

}  // namespace kcsim::serving

// Least outstanding requests: the replica with the fewest requests queued or running (the lowest
// index on a tie).
#include "workloads/serving/routers/routers.hpp"

namespace kcsim::serving {
namespace {

class LeastOutstanding final : public Router {
 public:
  int pick(const std::vector<ReplicaLoad>& loads) override {
    return least_loaded(loads, &ReplicaLoad::outstanding_requests);
  }
};

}  // namespace

RouterPolicy least_outstanding_router() {
  return {"least-outstanding", "the replica with the fewest requests queued or running",
          []() -> std::unique_ptr<Router> { return std::make_unique<LeastOutstanding>(); }};
}

}  // namespace kcsim::serving

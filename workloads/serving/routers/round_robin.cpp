// Round robin: each new request goes to the next replica in turn, whatever their load.
#include "workloads/serving/routers/routers.hpp"

namespace kcsim::serving {
namespace {

class RoundRobin final : public Router {
 public:
  int pick(const std::vector<ReplicaLoad>& loads) override {
    return static_cast<int>(next_++ % loads.size());
  }

 private:
  size_t next_ = 0;
};

}  // namespace

RouterPolicy round_robin_router() {
  return {"round-robin", "each replica in turn",
          []() -> std::unique_ptr<Router> { return std::make_unique<RoundRobin>(); }};
}

}  // namespace kcsim::serving

// Which replica a new request goes to: the router interface, and the registry of the routers a
// serving load may name (routers/registry.cpp). Each router is a file in routers/; adding one is
// that file and its name on the list in routers/routers.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kcsim::serving {

// The replicas' load as the router sees it.
struct ReplicaLoad {
  int64_t outstanding_requests = 0;
  int64_t outstanding_tokens = 0;  // prompt tokens still to prefill plus tokens still to emit
};

class Router {
 public:
  virtual ~Router() = default;
  // The index in `loads` (not empty) of the replica the next request goes to.
  virtual int pick(const std::vector<ReplicaLoad>& loads) = 0;
};

// A router as the registry lists it: the name a scenario or --router gives, a line for help
// texts, and a factory (a router may keep state, as round robin does, so each pool makes its own).
struct RouterPolicy {
  std::string_view name;
  std::string_view summary;
  std::unique_ptr<Router> (*make)();
};

// Every router, in the order help texts list them; the first is the default.
const std::vector<RouterPolicy>& router_policies();

// The router named `name`; nullptr when there is none.
const RouterPolicy* find_router(std::string_view name);

// A new router of the policy named `name`; std::invalid_argument when there is none.
std::unique_ptr<Router> make_router(std::string_view name);

// "round-robin, least-outstanding or jsq-tokens": the names, for help and error texts.
std::string router_names();

}  // namespace kcsim::serving

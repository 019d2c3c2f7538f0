#include "workloads/serving/router.hpp"

#include <stdexcept>

#include "configs/loader/name_lists.hpp"
#include "workloads/serving/routers/routers.hpp"

namespace kcsim::serving {

const std::vector<RouterPolicy>& router_policies() {
#define KCSIM_LIST_ROUTER(name) name##_router(),
  static const std::vector<RouterPolicy> kRouters = {KCSIM_ROUTERS(KCSIM_LIST_ROUTER)};
#undef KCSIM_LIST_ROUTER
  return kRouters;
}

const RouterPolicy* find_router(std::string_view name) {
  return find_named(router_policies(), name);
}

std::unique_ptr<Router> make_router(std::string_view name) {
  const RouterPolicy* policy = find_router(name);
  if (!policy) throw std::invalid_argument("unknown router \"" + std::string(name) + "\"");
  return policy->make();
}

std::string router_names() { return or_list(names_of(router_policies())); }

}  // namespace kcsim::serving

#include "sim/cost/dp_contention.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "topology/routing.hpp"

namespace kcsim {
namespace {

// One direction of one link: its bandwidth and the flows crossing it, by their group.
struct LinkLoad {
  const topology::LinkInfo* link = nullptr;
  std::vector<int> groups;
};

// Every group's rings between servers, routed.
struct RoutedRings {
  int flows = 0;
  double alone_bytes_per_s = 0;  // a flow's rate on links of its own (the NICs')
  std::vector<LinkLoad> loads;
};

RoutedRings route_rings(const topology::Topology& topology, const CollectiveCost& cost) {
  RoutedRings routed;
  const auto& graph = topology.graph();
  // Each member to the next in every ring between servers (trees run over the same neighbours).
  struct Flow {
    int group, from, to;
  };
  std::vector<Flow> flows;
  for (const auto& stage : collective_stages(cost.kind, 1.0, cost.group)) {
    if (!stage.inter_node) continue;
    for (int group = 0; group < cost.stride; ++group) {
      for (int position = 0; position < cost.group.size; ++position) {
        StageRing ring = stage_ring(stage, cost.group.size, cost.group.per_node, position);
        if (ring.size <= 1) continue;
        flows.push_back(
            {group, group + position * cost.stride, group + ring.next_position * cost.stride});
      }
    }
    break;
  }
  // By destination: the router keeps the searches of a destination's switches for the next.
  std::sort(flows.begin(), flows.end(), [](const Flow& a, const Flow& b) { return a.to < b.to; });
  topology::Router router(topology);
  std::map<std::pair<const topology::LinkInfo*, topology::Vertex>, LinkLoad> loads;
  for (const auto& flow : flows) {
    auto route = router.route(flow.from, flow.to);
    routed.alone_bytes_per_s =
        std::max(routed.alone_bytes_per_s, route.bottleneck_bandwidth_bytes_per_s);
    for (size_t i = 0; i < route.links.size(); ++i) {
      auto& load = loads[{&graph[route.links[i]], route.vertices[i]}];
      load.link = &graph[route.links[i]];
      load.groups.push_back(flow.group);
    }
  }
  routed.flows = static_cast<int>(flows.size());
  for (auto& [direction, load] : loads) routed.loads.push_back(std::move(load));
  return routed;
}

// Routing every ring of a large plan takes a while (a fraction of a second at 16k devices), and
// plan searches and sweeps ask again for the same shapes: the results are kept per topology
// and group shape while the topology lives.
std::shared_ptr<const RoutedRings> routed_rings(const ClusterModel& cluster,
                                                const CollectiveCost& cost) {
  if (!cluster.topology || cost.count == 0 || cost.group.size <= 1) return nullptr;
  struct Entry {
    std::weak_ptr<const topology::Topology> topology;
    std::shared_ptr<const RoutedRings> rings;
  };
  using Key = std::tuple<const topology::Topology*, int, int, int, int>;
  static std::mutex lock;
  static std::map<Key, Entry> cache;
  Key key{cluster.topology.get(), static_cast<int>(cost.kind), cost.group.size, cost.group.per_node,
          cost.stride};
  std::lock_guard<std::mutex> hold(lock);
  auto found = cache.find(key);
  if (found != cache.end()) {
    // A topology at the same address that is not the one cached is another cluster's.
    if (found->second.topology.lock() == cluster.topology) return found->second.rings;
    cache.erase(found);
  }
  if (cache.size() >= 64) cache.clear();
  auto rings = std::make_shared<const RoutedRings>(route_rings(*cluster.topology, cost));
  cache.emplace(key, Entry{cluster.topology, rings});
  return rings;
}

}  // namespace

LinkSharing dp_link_sharing(const ClusterModel& cluster, const CollectiveCost& cost) {
  LinkSharing sharing;
  auto rings = routed_rings(cluster, cost);
  if (!rings) return sharing;
  sharing.flows = rings->flows;
  for (const auto& load : rings->loads) {
    int n = static_cast<int>(load.groups.size());
    sharing.slowdown =
        std::max(sharing.slowdown, rings->alone_bytes_per_s * n / load.link->bandwidth_bytes_per_s);
    if (n > sharing.most_flows_on_link) {
      sharing.most_flows_on_link = n;
      sharing.busiest_link = load.link->name;
    }
  }
  return sharing;
}

double dp_contention_s(const ClusterModel& cluster, const TrainingCosts& costs, int tp,
                       double stagger_s) {
  double alone = dp_reduction_s(costs, cluster.tiers);
  if (alone <= 0) return 0;
  const NetworkTiers tiers = cluster.tiers.unshared();
  // What each flow between servers carries, and the time that takes at the NICs' rate.
  double flow_bytes = 0;
  for (const auto* cost : {&costs.dp_grads, &costs.dp_weights}) {
    if (cost->count == 0) continue;
    for (const auto& stage :
         collective_stages(cost->kind, cost->bytes, cost->group, costs.algorithm, &tiers,
                           costs.efficiency, costs.protocol)) {
      if (stage.inter_node) {
        flow_bytes += cost->count * stage.shape.volume * stage.bytes / costs.efficiency;
      }
    }
  }
  if (flow_bytes <= 0) return 0;
  double wire_s = flow_bytes / tiers.scale_out.bandwidth_bytes_per_s;
  // Each link direction serves its flows' bytes back to back (a link shared evenly is busy until
  // all of them are through): the last flow ends at the latest start plus the bytes that start
  // then or later over the link's bandwidth, starts measured from the first stage's (the latest).
  double latest_end = wire_s;
  auto rings = routed_rings(cluster, costs.dp_grads);
  if (!rings) return 0;
  for (const auto& load : rings->loads) {
    double work = flow_bytes / load.link->bandwidth_bytes_per_s;  // one flow's, on this link
    std::vector<double> starts;
    for (int group : load.groups) starts.push_back(-stagger_s * (group / tp));
    std::sort(starts.begin(), starts.end());
    for (size_t j = 0; j < starts.size(); ++j) {
      latest_end = std::max(latest_end, starts[j] + work * static_cast<double>(starts.size() - j));
    }
  }
  double stretched = alone + (latest_end - wire_s);
  return dp_exposed_s(costs, stretched) - dp_exposed_s(costs, alone);
}

}  // namespace kcsim

// Where the data-parallel reduction's flows between servers share links: every data-parallel
// group of a plan reduces at about the same time, and on a fat-tree the hash that spreads flows
// over equal-cost uplinks (ECMP) puts several of them on one link. The analytical engine prices
// that from the cluster's own topology, routing each flow as the event engine does.
#pragma once

#include <string>

#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/training_costs.hpp"

namespace kcsim {

struct LinkSharing {
  // The slowest flow's time on the wire over its time on links of its own (>= 1): each link's
  // bandwidth is shared evenly by the flows crossing it in one direction, and a flow runs at its
  // tightest link's share.
  double slowdown = 1;
  int flows = 0;               // flows between servers, all groups' rings together
  int most_flows_on_link = 0;  // on the busiest link, one direction
  std::string busiest_link;    // that link's name
};

// The rings between servers of `cost` (a data-parallel collective: members `stride` ranks
// apart), for all `stride` groups at once.
LinkSharing dp_link_sharing(const ClusterModel& cluster, const CollectiveCost& cost);

// The time the iteration's gradient reduction loses to that sharing. The groups of a pipeline
// stage (group / tp) start their reduction `stagger_s` before the stage ahead of them, the first
// stage last; each link direction carries its flows' bytes back to back, and the last flow to
// end sets how far the reduction's time between servers stretches, overlapped with the last
// backward as dp_exposed_s() does. Zero where no two flows share a link.
double dp_contention_s(const ClusterModel& cluster, const TrainingCosts& costs, int tp,
                       double stagger_s);

}  // namespace kcsim

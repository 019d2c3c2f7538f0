#include "sim/power/link_bytes.hpp"

#include "sim/cost/collectives.hpp"

namespace kcsim {
namespace {

bool inside_server(const topology::Topology& t, topology::Edge e) {
  const auto& g = t.graph();
  const auto& a = g[boost::source(e, g)];
  const auto& b = g[boost::target(e, g)];
  return a.node >= 0 && a.node == b.node;  // as ClusterModel::link_power classes them
}

}  // namespace

LinkBytes::LinkBytes(const topology::Topology& topology) : topology_(topology), router_(topology) {
  for (auto e : topology.links()) {
    const auto& link = topology[e];
    double range = link.active_power_w - link.idle_power_w;
    (inside_server(topology, e) ? in_server_range_w_ : between_servers_range_w_) += range;
  }
}

void LinkBytes::add_transfer(int from_rank, int to_rank, double bytes) {
  if (from_rank == to_rank || bytes <= 0) return;
  auto route = router_.route(from_rank, to_rank);
  for (auto e : route.links) {
    const auto& link = topology_[e];
    double joules =
        link.bandwidth_bytes_per_s > 0
            ? bytes * (link.active_power_w - link.idle_power_w) / (2 * link.bandwidth_bytes_per_s)
            : 0;
    if (inside_server(topology_, e)) {
      in_server_bytes_ += bytes;
      in_server_j_ += joules;
    } else {
      between_servers_bytes_ += bytes;
      between_servers_j_ += joules;
    }
  }
}

void LinkBytes::add_ring_allreduce(const std::vector<int>& ranks, double buffer_bytes) {
  if (ranks.size() < 2) return;
  double each =
      ring_shape(Collective::AllReduce, static_cast<int>(ranks.size())).volume * buffer_bytes;
  for (size_t i = 0; i < ranks.size(); ++i) {
    add_transfer(ranks[i], ranks[(i + 1) % ranks.size()], each);
  }
}

LinkActivity LinkBytes::activity(double duration_s) const {
  LinkActivity a;
  if (!(duration_s > 0)) return a;
  if (in_server_range_w_ > 0) a.in_server = in_server_j_ / (in_server_range_w_ * duration_s);
  if (between_servers_range_w_ > 0) {
    a.between_servers = between_servers_j_ / (between_servers_range_w_ * duration_s);
  }
  return a;
}

}  // namespace kcsim

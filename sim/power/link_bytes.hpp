// Bytes carried by the links of a cluster's topology, from transfers between devices routed as
// the event engine routes them, and the link activity they imply for energy accounting. A link
// draws its idle power plus (active - idle) times its load, where full load is its bandwidth in
// both directions: a byte crossing a link of bandwidth B costs (active - idle) / (2 B) joules.
#pragma once

#include <vector>

#include "sim/power/energy_ledger.hpp"
#include "topology/routing.hpp"

namespace kcsim {

class LinkBytes {
 public:
  // Holds `topology`, which must outlive it.
  explicit LinkBytes(const topology::Topology& topology);

  void add_transfer(int from_rank, int to_rank, double bytes);
  // A ring all-reduce over `ranks` of a `buffer_bytes` buffer: each rank sends 2 (n - 1) / n of
  // it to the next rank of the ring.
  void add_ring_allreduce(const std::vector<int>& ranks, double buffer_bytes);

  // Bytes times links crossed, inside servers and between them.
  double in_server_bytes() const { return in_server_bytes_; }
  double between_servers_bytes() const { return between_servers_bytes_; }
  // Over `duration_s`: each class's traffic energy as a share of what all its links would draw
  // above idle at full load (cluster_energy's LinkActivity).
  LinkActivity activity(double duration_s) const;

 private:
  const topology::Topology& topology_;
  topology::Router router_;
  double in_server_bytes_ = 0, between_servers_bytes_ = 0;
  double in_server_j_ = 0, between_servers_j_ = 0;              // above idle
  double in_server_range_w_ = 0, between_servers_range_w_ = 0;  // sum of (active - idle)
};

}  // namespace kcsim

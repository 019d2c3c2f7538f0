#include "sim/engines/event/observers/serving_traffic.hpp"

#include "sim/power/link_bytes.hpp"

namespace kcsim::event {

ServingTraffic::ServingTraffic(const ServingSpec& spec)
    : tp_(spec.tp), pp_(spec.pp), allreduce_bytes_(static_cast<size_t>(spec.replicas), 0) {
  // Two all-reduces per layer of the activations of every token (serving_batch_cost.cpp).
  if (spec.tp > 1) {
    bytes_per_token_ = 2.0 * static_cast<double>(spec.model.layers) * spec.model.hidden *
                       serving_pass_shape(spec, 1, 1, 1).act_bytes;
  }
}

void ServingTraffic::attach() {
  iteration_connection_ =
      serving_iteration_signal().connect([this](const ServingIterationEvent& e) {
        allreduce_bytes_.at(static_cast<size_t>(e.replica)) +=
            bytes_per_token_ * static_cast<double>(e.tokens);
      });
  kv_connection_ = kv_transfer_signal().connect([this](const KvTransferEvent& e) {
    kv_bytes_[{e.from_replica, e.to_replica}] += e.bytes;
  });
}

void ServingTraffic::record(const topology::Topology& topology, double duration_s,
                            ServingLoadResult& load, LinkActivity& links) const {
  LinkBytes routed(topology);
  const int per_replica = tp_ * pp_;
  double allreduce = 0;
  std::vector<int> ranks(static_cast<size_t>(tp_));
  for (size_t r = 0; r < allreduce_bytes_.size(); ++r) {
    // Each stage holds layers / pp of the layers, so its TP ring carries that share.
    for (int stage = 0; stage < pp_; ++stage) {
      int first = static_cast<int>(r) * per_replica + stage * tp_;
      for (int i = 0; i < tp_; ++i) ranks[static_cast<size_t>(i)] = first + i;
      routed.add_ring_allreduce(ranks, allreduce_bytes_[r] / pp_);
    }
    allreduce += allreduce_bytes_[r];
  }
  for (const auto& [pair, bytes] : kv_bytes_) {
    for (int i = 0; i < per_replica; ++i) {
      routed.add_transfer(pair.first * per_replica + i, pair.second * per_replica + i,
                          bytes / per_replica);
    }
  }
  load.tp_allreduce_bytes = allreduce;
  load.link_bytes_in_server = routed.in_server_bytes();
  load.link_bytes_between_servers = routed.between_servers_bytes();
  links = routed.activity(duration_s);
}

}  // namespace kcsim::event

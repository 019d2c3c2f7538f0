#include "sim/engines/event/observers/serving_traffic.hpp"

#include <stdexcept>
#include <string>

#include "sim/power/link_bytes.hpp"

namespace kcsim::event {

ServingTraffic::ServingTraffic(std::vector<TrafficSide> sides) : sides_(std::move(sides)) {
  for (const auto& side : sides_) {
    const ServingSpec& spec = *side.spec;
    // Two all-reduces per layer of the activations of every token (serving_batch_cost.cpp).
    double per_token = spec.tp > 1 ? 2.0 * static_cast<double>(spec.model.layers) *
                                         spec.model.hidden *
                                         serving_pass_shape(spec, 1, 1, 1).act_bytes
                                   : 0.0;
    bytes_per_token_.resize(static_cast<size_t>(side.first_replica + spec.replicas), per_token);
  }
  allreduce_bytes_.assign(bytes_per_token_.size(), 0);
}

const TrafficSide& ServingTraffic::side_of(int replica) const {
  for (const auto& side : sides_) {
    if (replica >= side.first_replica && replica < side.first_replica + side.spec->replicas) {
      return side;
    }
  }
  throw std::logic_error("serving traffic: replica " + std::to_string(replica) + " on no side");
}

void ServingTraffic::attach() {
  iteration_connection_ =
      serving_iteration_signal().connect([this](const ServingIterationEvent& e) {
        auto r = static_cast<size_t>(e.replica);
        allreduce_bytes_.at(r) += bytes_per_token_[r] * static_cast<double>(e.tokens);
      });
  kv_connection_ = kv_transfer_signal().connect([this](const KvTransferEvent& e) {
    kv_bytes_[{e.from_replica, e.to_replica}] += e.bytes;
  });
}

void ServingTraffic::record(const topology::Topology& topology, double duration_s,
                            ServingLoadResult& load, LinkActivity& links) const {
  LinkBytes routed(topology);
  auto first_device = [&](int replica) {
    const TrafficSide& side = side_of(replica);
    return side.first_device + (replica - side.first_replica) * side.spec->tp * side.spec->pp;
  };
  double allreduce = 0;
  for (size_t r = 0; r < allreduce_bytes_.size(); ++r) {
    const ServingSpec& spec = *side_of(static_cast<int>(r)).spec;
    std::vector<int> ranks(static_cast<size_t>(spec.tp));
    // Each stage holds layers / pp of the layers, so its TP ring carries that share.
    for (int stage = 0; stage < spec.pp; ++stage) {
      int first = first_device(static_cast<int>(r)) + stage * spec.tp;
      for (int i = 0; i < spec.tp; ++i) ranks[static_cast<size_t>(i)] = first + i;
      routed.add_ring_allreduce(ranks, allreduce_bytes_[r] / spec.pp);
    }
    allreduce += allreduce_bytes_[r];
  }
  // Every device of the prefill replica sends its share, to the decode replica's device of the
  // same index (wrapping when the decode replica has fewer).
  for (const auto& [pair, bytes] : kv_bytes_) {
    const ServingSpec& from = *side_of(pair.first).spec;
    const ServingSpec& to = *side_of(pair.second).spec;
    int senders = from.tp * from.pp, receivers = to.tp * to.pp;
    for (int i = 0; i < senders; ++i) {
      routed.add_transfer(first_device(pair.first) + i, first_device(pair.second) + i % receivers,
                          bytes / senders);
    }
  }
  load.tp_allreduce_bytes = allreduce;
  load.link_bytes_in_server = routed.in_server_bytes();
  load.link_bytes_between_servers = routed.between_servers_bytes();
  links = routed.activity(duration_s);
}

}  // namespace kcsim::event

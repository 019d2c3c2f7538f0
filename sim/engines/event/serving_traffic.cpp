#include "sim/engines/event/serving_traffic.hpp"

#include <cstdlib>

#include <fmt/format.h>

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

void ServingTraffic::iteration(int replica, const MixedBatch& batch) {
  int64_t tokens = batch.decode_sequences;
  for (const auto& [n, context] : batch.prefill_chunks) tokens += n;
  allreduce_bytes_[static_cast<size_t>(replica)] += bytes_per_token_ * static_cast<double>(tokens);
}

void ServingTraffic::kv_transfer(int from_replica, int to_replica, double bytes) {
  kv_bytes_[{from_replica, to_replica}] += bytes;
}

std::string ServingTraffic::write(const topology::Topology& topology, double duration_s) const {
  LinkBytes links(topology);
  const int per_replica = tp_ * pp_;
  double allreduce = 0;
  std::vector<int> ranks(static_cast<size_t>(tp_));
  for (size_t r = 0; r < allreduce_bytes_.size(); ++r) {
    // Each stage holds layers / pp of the layers, so its TP ring carries that share.
    for (int stage = 0; stage < pp_; ++stage) {
      int first = static_cast<int>(r) * per_replica + stage * tp_;
      for (int i = 0; i < tp_; ++i) ranks[static_cast<size_t>(i)] = first + i;
      links.add_ring_allreduce(ranks, allreduce_bytes_[r] / pp_);
    }
    allreduce += allreduce_bytes_[r];
  }
  for (const auto& [pair, bytes] : kv_bytes_) {
    for (int i = 0; i < per_replica; ++i) {
      links.add_transfer(pair.first * per_replica + i, pair.second * per_replica + i,
                         bytes / per_replica);
    }
  }
  LinkActivity a = links.activity(duration_s);
  return fmt::format("links {:a} {:a} {:a} {:a} {:a}\n", allreduce, links.in_server_bytes(),
                     links.between_servers_bytes(), a.in_server, a.between_servers);
}

void ServingTraffic::read(std::istream& in, ServingLoadResult& load, LinkActivity& links) {
  auto num = [](const std::string& s) { return std::strtod(s.c_str(), nullptr); };
  std::string word, a, b, c, d, e;
  in >> word >> a >> b >> c >> d >> e;
  load.tp_allreduce_bytes = num(a);
  load.link_bytes_in_server = num(b);
  load.link_bytes_between_servers = num(c);
  links.in_server = num(d);
  links.between_servers = num(e);
}

}  // namespace kcsim::event

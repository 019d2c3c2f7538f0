#include "sim/power/serving_dvfs.hpp"

#include <algorithm>

#include "hw-models/power_model.hpp"

namespace kcsim {

DvfsBatchCost::DvfsBatchCost(const ClusterModel& cluster, const ServingSpec& spec)
    : cluster_(cluster),
      device_cap_w_(power_limit_w(cluster.chip, spec.device_power_cap_w)),
      pp_(spec.pp),
      states_(dvfs_states(cluster.chip, spec.clock_mhz)) {
  models_.reserve(states_.size());
  for (const auto& state : states_) {
    ServingSpec at = spec;
    at.state = state;
    models_.emplace_back(cluster, at);
  }
}

void DvfsBatchCost::fill(IterationAtStates& it, size_t state) const {
  const IterationCost& cost = it.cost[state];
  IterationEnergy& energy = it.energy[state];
  energy = iteration_device_energy(cluster_.chip, cost);
  // With pipeline stages the energy is one TP rank's chain of pp devices, and the draw the
  // average of its devices.
  energy.device_j += pipeline_idle_j(cluster_.chip, pp_, cost);
  double t = cost.time_s();
  it.power_w[state] = t > 0 ? energy.total_j() / (t * pp_) : held_idle_w(cluster_.chip);
  it.speed[state] = cost.compute.mean_clock(states_[state].speed);
}

size_t DvfsBatchCost::ShapeHash::operator()(const Shape& shape) const {
  auto mix = [](size_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull + (h >> 29); };
  size_t h = 0xcbf29ce484222325ull;
  for (const auto& [tokens, context] : shape.prefill_chunks) {
    h = mix(mix(h, static_cast<uint64_t>(tokens)), static_cast<uint64_t>(context));
  }
  h = mix(h, static_cast<uint64_t>(shape.decode_sequences));
  h = mix(h, static_cast<uint64_t>(shape.decode_context));
  return mix(h, shape.slower_states ? 1 : 0);
}

std::shared_ptr<const IterationAtStates> DvfsBatchCost::price(const MixedBatch& batch,
                                                              bool slower_states) {
  Shape shape{batch.prefill_chunks, batch.decode_sequences, decode_mean_context(batch),
              slower_states};
  std::sort(shape.prefill_chunks.begin(), shape.prefill_chunks.end());
  auto found = priced_.find(shape);
  if (found != priced_.end()) return found->second;
  if (priced_.size() >= 4096) priced_.clear();  // bound the memory; held pricings live on
  auto priced = std::make_shared<const IterationAtStates>(price_anew(batch, slower_states));
  priced_.emplace(std::move(shape), priced);
  return priced;
}

IterationAtStates DvfsBatchCost::price_anew(const MixedBatch& batch, bool slower_states) {
  IterationAtStates it;
  // Room for every state: the power limit may take the iteration to any of them, and a
  // cluster cap below it.
  size_t n = states_.size();
  it.cost.resize(n);
  it.energy.resize(n);
  it.power_w.resize(n);
  it.speed.resize(n);
  // The states are tried fastest first, up to the one chosen; the iteration there may alternate
  // with the state above, or be stretched when even the slowest drew too much.
  size_t tried = 0;
  IterationCost chosen = iteration_under_limit(
      cluster_.chip, device_cap_w_, states_,
      [&](const DvfsPoint&) { return models_[tried++].cost(batch); }, &it.first_state);
  it.cost[static_cast<size_t>(it.first_state)] = chosen;
  auto first = static_cast<size_t>(it.first_state);
  fill(it, first);
  for (size_t s = first + 1; slower_states && s < n; ++s) {
    it.cost[s] = models_[s].cost(batch);
    fill(it, s);
  }
  return it;
}

}  // namespace kcsim

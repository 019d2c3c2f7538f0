#include "sim/serving_dvfs.hpp"

#include "hw-models/power_model.hpp"

namespace kcsim {

DvfsBatchCost::DvfsBatchCost(const ClusterModel& cluster, const ServingSpec& spec)
    : cluster_(cluster),
      device_cap_w_(spec.device_power_cap_w),
      pp_(static_cast<int>(spec.pp)),
      states_(dvfs_states(cluster.chip)) {
  models_.reserve(states_.size());
  for (const auto& state : states_) {
    ServingSpec at = spec;
    at.speed = state.speed;
    models_.emplace_back(cluster, at);
  }
}

void DvfsBatchCost::fill(IterationAtStates& it, size_t state) const {
  double speed = states_[state].speed;
  const IterationCost& cost = it.cost[state];
  IterationEnergy& energy = it.energy[state];
  energy = iteration_device_energy(cluster_.chip, cost, speed);
  // With pipeline stages the energy is one TP rank's chain of pp devices, and the draw the
  // average of its devices.
  energy.device_j += pipeline_idle_j(cluster_.chip, pp_, cost);
  double t = cost.time_s();
  it.power_w[state] = t > 0 ? energy.total_j() / (t * pp_) : held_idle_w(cluster_.chip);
}

IterationAtStates DvfsBatchCost::price(const MixedBatch& batch, bool slower_states) {
  IterationAtStates it;
  // Room for the states that may be priced: all of them, or the first under the device cap.
  size_t n = slower_states || device_cap_w_ > 0 ? states_.size() : 1;
  it.cost.resize(n);
  it.energy.resize(n);
  it.power_w.resize(n);
  if (device_cap_w_ > 0) {
    // choose_state_under_cap tries the states fastest first and stops at the one it chooses.
    size_t tried = 0;
    DvfsChoice choice = choose_state_under_cap(cluster_.chip, device_cap_w_, [&](double) {
      it.cost[tried] = models_[tried].cost(batch);
      return it.cost[tried++].compute;
    });
    it.first_state = static_cast<int>(tried - 1);
    it.cost[tried - 1].compute = choice.cost;  // stretched when even the slowest drew too much
  } else {
    it.cost[0] = models_[0].cost(batch);
  }
  auto first = static_cast<size_t>(it.first_state);
  fill(it, first);
  for (size_t s = first + 1; slower_states && s < n; ++s) {
    it.cost[s] = models_[s].cost(batch);
    fill(it, s);
  }
  return it;
}

}  // namespace kcsim

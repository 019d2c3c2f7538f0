#include "sim/power/incremental_governor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kcsim {

namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Sums this near the cap (relative) may fall either side of it by the order of their additions.
constexpr double kNearCap = 1e-9;
}  // namespace

IncrementalGovernor::IncrementalGovernor(PowerGovernor governor, size_t devices)
    : governor_(std::move(governor)),
      demands_(devices),
      steps_(devices),
      next_key_(devices, -kInfinity),
      last_key_(devices, kInfinity) {
  cut_.key = kInfinity;  // nothing taken yet
  decision_.state.resize(devices);
}

DeviceDemand& IncrementalGovernor::edit(size_t i) {
  steps_[i].dirty = true;
  return demands_[i];
}

bool IncrementalGovernor::before(const Place& a, const Place& b) {
  if (a.key != b.key) return a.key > b.key;
  if (a.device != b.device) return a.device < b.device;
  return a.step < b.step;
}

void IncrementalGovernor::set_taken(size_t i, int taken) {
  auto& steps = steps_[i];
  steps.taken = taken;
  auto t = static_cast<size_t>(taken);
  next_key_[i] = t < steps.key.size() ? steps.key[t] : -kInfinity;
  last_key_[i] = t > 0 ? steps.key[t - 1] : kInfinity;
}

void IncrementalGovernor::rebuild(size_t i) {
  const auto& states = governor_.states();
  const auto& watts = demands_[i].power_w;
  auto& steps = steps_[i];
  steps.key.clear();
  steps.saving.clear();
  // The greedy's steps: down from first_state while a step saves watts (and its gain is a
  // number, which the draws of a priced iteration always give).
  double least = kInfinity;
  for (auto s = static_cast<size_t>(std::max(0, demands_[i].first_state));; ++s) {
    auto step = step_down(watts, states, s);
    if (!step || !(step->gain < kInfinity)) break;
    least = std::min(least, step->gain);
    steps.key.push_back(least);
    steps.saving.push_back(step->saved_w);
  }
  // Its steps before the cut are taken, as every other device's are.
  int taken = 0;
  while (static_cast<size_t>(taken) < steps.key.size() &&
         before({steps.key[static_cast<size_t>(taken)], i, taken}, cut_)) {
    ++taken;
  }
  set_taken(i, taken);
  steps.dirty = false;
}

IncrementalGovernor::Place IncrementalGovernor::next_step() const {
  // The highest key; the lowest device among equal keys.
  size_t best = steps_.size();
  double key = -kInfinity;
  for (size_t i = 0; i < next_key_.size(); ++i) {
    if (next_key_[i] > key) key = next_key_[i], best = i;
  }
  return {key, best, best < steps_.size() ? steps_[best].taken : 0};
}

IncrementalGovernor::Place IncrementalGovernor::last_taken() const {
  // The lowest key; the highest device among equal keys.
  size_t best = steps_.size();
  double key = kInfinity;
  for (size_t i = 0; i < last_key_.size(); ++i) {
    if (last_key_[i] <= key && last_key_[i] < kInfinity) key = last_key_[i], best = i;
  }
  return {key, best, best < steps_.size() ? steps_[best].taken - 1 : 0};
}

double IncrementalGovernor::total_now() const {
  double total = 0;
  for (size_t i = 0; i < demands_.size(); ++i) {
    const auto& watts = demands_[i].power_w;
    auto s = static_cast<size_t>(std::max(0, demands_[i].first_state) + steps_[i].taken);
    total += s < watts.size() ? watts[s] : 0;
  }
  return total;
}

const GovernorDecision& IncrementalGovernor::decide() {
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (steps_[i].dirty) rebuild(i);
  }
  const double cap = governor_.cap_w();
  const size_t none = steps_.size();
  auto saving = [&](const Place& p) {
    return steps_[p.device].saving[static_cast<size_t>(p.step)];
  };
  // Move the cut: take the next steps while the sum exceeds the cap, or give back the last
  // ones while the sum without them still fits. Each loop leaves the last step taken and the
  // next one, when it knows them without a scan.
  double total = total_now();
  Place last{0, none, 0}, next{0, none, 0};
  bool last_known = false, next_known = false;
  if (total > cap) {
    for (Place p = next_step(); p.device != none; p = next_step()) {
      total -= saving(p);
      set_taken(p.device, p.step + 1);
      last = p;
      last_known = true;
      if (total <= cap) break;
    }
  } else {
    for (Place p = last_taken(); p.device != none; p = last_taken()) {
      double back = total + saving(p);
      if (back > cap) {
        last = p;
        break;
      }
      total = back;
      set_taken(p.device, p.step);
      next = p;
      next_known = true;
    }
    last_known = true;
  }
  if (!last_known) last = last_taken();
  if (!next_known) next = next_step();
  // The greedy's sums are its own chain of subtractions: where the outcome rests on the last
  // bits of the sum, it decides.
  total = total_now();
  double margin = kNearCap * std::max(std::abs(cap), std::abs(total));
  bool settled_here = total <= cap - margin || (total > cap + margin && next.device == none);
  bool settled_before = last.device == none || total + saving(last) > cap + margin;
  if (settled_here && settled_before) {
    for (size_t i = 0; i < steps_.size(); ++i) {
      decision_.state[i] = std::max(0, demands_[i].first_state) + steps_[i].taken;
    }
    decision_.total_w = total;
    decision_.under_cap = total <= cap;
  } else {
    decision_ = governor_.decide(demands_);
    for (size_t i = 0; i < steps_.size(); ++i) {
      set_taken(i, std::max(0, decision_.state[i] - std::max(0, demands_[i].first_state)));
    }
    next = next_step();
    ++fallbacks_;
  }
  cut_ = next.device != none ? next : Place{-kInfinity, none, 0};
  return decision_;
}

}  // namespace kcsim

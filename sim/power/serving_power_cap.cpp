#include "sim/power/serving_power_cap.hpp"

#include <algorithm>

#include "hw-models/power_model.hpp"

namespace kcsim {

ClusterPowerCap::ClusterPowerCap(const ChipModel& chip, int tp, int replicas, int unused_devices,
                                 double cap_w, bool keep_samples, std::vector<DvfsPoint> states)
    : states_(states.empty() ? dvfs_states(chip) : std::move(states)),
      tp_(tp),
      unused_w_(std::max(0, unused_devices) * chip.idle_w()),
      held_w_(held_idle_w(chip)),
      cap_w_(cap_w),
      replicas_(static_cast<size_t>(replicas)),
      keep_samples_(keep_samples) {
  if (cap_w > 0) {
    governor_.emplace(PowerGovernor(chip, cap_w, states_),
                      replicas_.size() + (unused_w_ > 0 ? 1 : 0));
    for (size_t i = 0; i < replicas_.size(); ++i) set_demand(i);
    if (unused_w_ > 0) governor_->edit(replicas_.size()).power_w.assign(1, unused_w_);
  }
  note(0);
}

double ClusterPowerCap::floor_w() const {
  return unused_w_ + static_cast<double>(replicas_.size()) * tp_ * held_w_;
}

double ClusterPowerCap::pace_s(const Replica& r) const {
  return r.it->cost[static_cast<size_t>(r.state)].time_s() * r.stretch;
}

double ClusterPowerCap::draw_w(const Replica& r) const {
  if (!r.busy) return tp_ * held_w_;
  double p = r.it->power_w[static_cast<size_t>(r.state)];
  return tp_ * (held_w_ + (p - held_w_) / r.stretch);
}

double ClusterPowerCap::remaining_s(int r) const {
  const auto& rep = replicas_[static_cast<size_t>(r)];
  return std::max(0.0, 1 - rep.progress) * pace_s(rep);
}

void ClusterPowerCap::close_segment(Replica& r, double now, double fraction) {
  auto s = static_cast<size_t>(r.state);
  const auto& c = r.it->cost[s];
  const auto& e = r.it->energy[s];
  double dt = fraction * pace_s(r);
  auto& d = r.done;
  d.duration_s += dt;
  d.compute_busy_s += fraction * c.compute.compute_busy * c.compute.time_s;
  d.memory_busy_s += fraction * c.compute.memory_busy * c.compute.time_s;
  // A stretched iteration waits at the held-idle floor for the time it was stretched by.
  d.energy.device_j += fraction * (e.device_j + (r.stretch - 1) * c.time_s() * held_w_);
  d.energy.memory_j += fraction * e.memory_j;
  d.speed += dt * r.it->speed[s];  // time-weighted; divided at the end
  r.progress += fraction;
  r.since_s = now;
}

void ClusterPowerCap::start(int r, double now, std::shared_ptr<const IterationAtStates> iteration) {
  auto& rep = replicas_[static_cast<size_t>(r)];
  rep = Replica{};
  rep.busy = true;
  rep.state = iteration->first_state;
  rep.it = std::move(iteration);
  rep.since_s = now;
  rep.done.speed = 0;  // accumulates speed x time
  redistribute(r, now);
  note(now);
}

IterationDone ClusterPowerCap::finish(int r, double now, bool settle) {
  auto& rep = replicas_[static_cast<size_t>(r)];
  close_segment(rep, now, std::max(0.0, 1 - rep.progress));
  IterationDone done = rep.done;
  if (done.duration_s > 0) {
    done.speed /= done.duration_s;
    done.power_w = done.energy.total_j() / done.duration_s;
  } else {
    done.speed = rep.it->speed[static_cast<size_t>(rep.state)];
    done.power_w = held_w_;
  }
  if (done.throttled) ++throttled_;
  rep.busy = false;
  if (settle) {
    redistribute(r, now);
  } else if (governor_) {
    set_demand(static_cast<size_t>(r));
    unsettled_ = true;
    moved_.clear();
  }
  note(now);
  return done;
}

bool ClusterPowerCap::settle(double now) {
  moved_.clear();
  if (!unsettled_) return false;
  redistribute(-1, now);
  note(now);
  return true;
}

void ClusterPowerCap::set_demand(size_t i) {
  const auto& rep = replicas_[i];
  DeviceDemand& d = governor_->edit(i);
  if (rep.busy) {
    d.first_state = rep.it->first_state;
    d.power_w.assign(rep.it->power_w.size(), 0);
    for (size_t s = static_cast<size_t>(d.first_state); s < d.power_w.size(); ++s) {
      d.power_w[s] = tp_ * rep.it->power_w[s];
    }
  } else {
    d.first_state = 0;
    d.power_w.assign(1, tp_ * held_w_);
  }
}

void ClusterPowerCap::redistribute(int caller, double now) {
  moved_.clear();
  if (!governor_) return;
  // Between two calls only the caller's demand changes (its iteration started or ended; every
  // other replica runs the iteration it ran, or waits), and those of unsettled finishes, which
  // finish() rewrote.
  if (caller >= 0) set_demand(static_cast<size_t>(caller));
  unsettled_ = false;
  const GovernorDecision& decision = governor_->decide();

  // The sum as note() will take it. Past the slowest states (or by rounding), a common stretch.
  auto total = [&](double stretch) {
    double w = unused_w_;
    for (size_t i = 0; i < replicas_.size(); ++i) {
      const auto& rep = replicas_[i];
      double p = rep.busy ? rep.it->power_w[static_cast<size_t>(decision.state[i])] : held_w_;
      w += tp_ * (held_w_ + (p - held_w_) / (rep.busy ? stretch : 1.0));
    }
    return w;
  };
  double stretch = 1;
  if (total(1) > cap_w_) {
    double floor = floor_w(), dynamic = total(1) - floor;
    stretch = dynamic / (cap_w_ - floor);
    while (total(stretch) > cap_w_) stretch *= 1 + 1e-12;
  }
  for (size_t i = 0; i < replicas_.size(); ++i) {
    auto& rep = replicas_[i];
    if (!rep.busy) continue;
    int state = decision.state[i];
    double k = stretch;
    if (state == rep.state && k == rep.stretch) continue;
    if (now > rep.since_s) {
      double fraction = std::clamp((now - rep.since_s) / pace_s(rep), 0.0, 1 - rep.progress);
      close_segment(rep, now, fraction);
    }
    rep.state = state;
    rep.stretch = k;
    if (state > rep.it->first_state || k > 1) rep.done.throttled = true;
    if (static_cast<int>(i) != caller) moved_.push_back(static_cast<int>(i));
  }
}

void ClusterPowerCap::note(double now) {
  double w = unused_w_;
  for (const auto& rep : replicas_) w += draw_w(rep);
  if (pending_ && last_.time_s == now) {
    last_.power_w = w;
    return;
  }
  if (pending_) commit(last_);
  last_ = {now, w};
  pending_ = true;
}

void ClusterPowerCap::commit(const ClusterPowerSample& s) {
  peak_w_ = std::max(peak_w_, s.power_w);
  if (keep_samples_ && (samples_.empty() || samples_.back().power_w != s.power_w)) {
    samples_.push_back(s);
  }
}

void ClusterPowerCap::end(double now) {
  note(now);
  if (pending_) commit(last_);
  pending_ = false;
}

}  // namespace kcsim

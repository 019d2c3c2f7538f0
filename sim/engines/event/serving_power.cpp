#include "sim/engines/event/serving_power.hpp"

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

namespace kcsim::event {
namespace sg4 = simgrid::s4u;

ServingPower::ServingPower(const ClusterModel& cluster, const ServingSpec& spec,
                           double cluster_cap_w, bool keep_samples)
    : costs_(cluster, spec),
      cap_(cluster.chip, spec.tp * spec.pp, spec.replicas,
           cluster.devices() - spec.tp * spec.pp * spec.replicas, cluster_cap_w, keep_samples,
           costs_.states()),
      end_s_(static_cast<size_t>(spec.replicas), kNotRunning),
      done_(static_cast<size_t>(spec.replicas), 0) {
  paces_.reserve(static_cast<size_t>(spec.replicas));
  for (int r = 0; r < spec.replicas; ++r) {
    paces_.push_back({sg4::Mutex::create(), sg4::ConditionVariable::create()});
  }
}

void ServingPower::start(sg4::Host* host) {
  if (!cap_.capped()) return;
  pacer_mutex_ = sg4::Mutex::create();
  pacer_wakeup_ = sg4::ConditionVariable::create();
  sg4::Actor::create("power-pacer", host, [this] { pace(); })->daemonize();
}

void ServingPower::retime(int caller) {
  double now = sg4::Engine::get_clock();
  if (caller >= 0) end_s_[static_cast<size_t>(caller)] = now + cap_.remaining_s(caller);
  for (int r : cap_.moved()) {
    // A replica the pacer has already ended keeps its end: its actor is about to finish().
    if (!done_[static_cast<size_t>(r)]) end_s_[static_cast<size_t>(r)] = now + cap_.remaining_s(r);
  }
  pacer_wakeup_->notify_one();
}

void ServingPower::pace() {
  std::unique_lock<sg4::Mutex> lock(*pacer_mutex_);
  while (true) {
    auto earliest = std::min_element(end_s_.begin(), end_s_.end());
    if (*earliest == kNotRunning) {
      pacer_wakeup_->wait(lock);
      continue;
    }
    double end_s = *earliest;
    if (pacer_wakeup_->wait_until(lock, end_s) == std::cv_status::no_timeout) continue;
    // Something may have moved the end while this actor was waking: end only what is due.
    auto r = static_cast<size_t>(earliest - end_s_.begin());
    double now = sg4::Engine::get_clock();
    if (end_s_[r] > now + 1e-12 * std::max(1.0, now)) continue;
    end_s_[r] = kNotRunning;
    done_[r] = 1;
    paces_[r].changed->notify_all();
  }
}

IterationDone ServingPower::run(int replica, const MixedBatch& batch) {
  auto r = static_cast<size_t>(replica);
  cap_.start(replica, sg4::Engine::get_clock(), costs_.price(batch, cap_.capped()));
  if (!cap_.capped()) {
    // Nothing changes an iteration's pace once it has started: it ends when it is done.
    sg4::this_actor::sleep_for(cap_.remaining_s(replica));
  } else {
    // The pacer ends the iteration when what is left of it, at the pace the cap gives it (which
    // every other replica's start and finish may change), is done. Waiting on a condition,
    // rather than cancelling a timed activity at each change, keeps a re-timing free of the
    // exception and backtrace a cancellation costs, and wakes one actor instead of every one.
    done_[r] = 0;
    retime(replica);
    std::unique_lock<sg4::Mutex> lock(*paces_[r].mutex);
    while (!done_[r]) paces_[r].changed->wait(lock);
  }
  IterationDone done = cap_.finish(replica, sg4::Engine::get_clock());
  if (cap_.capped()) retime(-1);
  return done;
}

void ServingPower::record(double end_s, ServingLoadResult& load) {
  cap_.end(end_s);
  load.cluster_power_cap_w = cap_.cap_w();
  load.cluster_power_peak_w = cap_.peak_w();
  load.cap_throttled_iterations = cap_.throttled_iterations();
  load.power_samples = cap_.samples();
}

}  // namespace kcsim::event

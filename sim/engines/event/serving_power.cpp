#include "sim/engines/event/serving_power.hpp"

#include <algorithm>
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
      end_s_(static_cast<size_t>(spec.replicas), 0) {
  paces_.reserve(static_cast<size_t>(spec.replicas));
  for (int r = 0; r < spec.replicas; ++r) {
    paces_.push_back({sg4::Mutex::create(), sg4::ConditionVariable::create()});
  }
}

void ServingPower::move_others() {
  double now = sg4::Engine::get_clock();
  for (int r : cap_.moved()) {
    auto i = static_cast<size_t>(r);
    end_s_[i] = now + cap_.remaining_s(r);
    paces_[i].moved->notify_one();
  }
}

IterationDone ServingPower::run(int replica, const MixedBatch& batch) {
  auto r = static_cast<size_t>(replica);
  double now = sg4::Engine::get_clock();
  cap_.start(replica, now, costs_.price(batch, cap_.capped()));
  if (!cap_.capped()) {
    // Nothing changes an iteration's pace once it has started: it ends when it is done.
    sg4::this_actor::sleep_for(cap_.remaining_s(replica));
  } else {
    // The iteration ends when what is left of it, at the pace the cap gives it, is done; the
    // other replicas' starts and finishes may move that pace, and wake this actor to wait for
    // the new end. Waiting on a condition, rather than cancelling a timed activity at each
    // move, keeps a move free of the exception and backtrace a cancellation costs.
    end_s_[r] = now + cap_.remaining_s(replica);
    move_others();
    std::unique_lock<sg4::Mutex> lock(*paces_[r].mutex);
    while (true) {
      paces_[r].moved->wait_until(lock, end_s_[r]);
      // Woken by a move, or at the end as it stood; a move at this very time may have left
      // only a rounding's worth of the iteration.
      now = sg4::Engine::get_clock();
      if (end_s_[r] <= now + 1e-12 * std::max(1.0, now)) break;
    }
  }
  // The replica's next iteration (or idle()) moves the others' paces, at this same time.
  return cap_.finish(replica, sg4::Engine::get_clock(), /*settle=*/false);
}

void ServingPower::idle() {
  if (cap_.settle(sg4::Engine::get_clock())) move_others();
}

void ServingPower::record(double end_s, ServingLoadResult& load) {
  cap_.end(end_s);
  load.cluster_power_cap_w = cap_.cap_w();
  load.cluster_power_peak_w = cap_.peak_w();
  load.cap_throttled_iterations = cap_.throttled_iterations();
  load.power_samples = cap_.samples();
}

}  // namespace kcsim::event

#include "sim/event/serving_power.hpp"

#include <cstdlib>

#include <fmt/format.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "sim/event/platform.hpp"

namespace kcsim::event {
namespace sg4 = simgrid::s4u;

ServingPower::ServingPower(const ClusterModel& cluster, const ServingSpec& spec,
                           double cluster_cap_w, bool keep_samples)
    : costs_(cluster, spec),
      cap_(cluster.chip, spec.tp * spec.pp, spec.replicas,
           cluster.devices() - spec.tp * spec.pp * spec.replicas, cluster_cap_w, keep_samples,
           costs_.states()),
      running_(static_cast<size_t>(spec.replicas)),
      cancelled_(static_cast<size_t>(spec.replicas), 0) {}

void ServingPower::retime(std::vector<int> replicas) {
  // Cancelling yields to the engine, which may run other actors (and change moved()) before it
  // returns: the list is a copy, and each slot is cleared before its activity is cancelled.
  for (int r : replicas) {
    auto exec = std::move(running_[static_cast<size_t>(r)]);
    running_[static_cast<size_t>(r)] = nullptr;
    cancelled_[static_cast<size_t>(r)] = 1;
    if (exec && exec->get_state() == sg4::Activity::State::STARTED) exec->cancel();
  }
}

IterationDone ServingPower::run(int replica, const MixedBatch& batch) {
  auto r = static_cast<size_t>(replica);
  cap_.start(replica, sg4::Engine::get_clock(), costs_.price(batch, cap_.capped()));
  retime(cap_.moved());
  // Until an activity runs to its end at the pace it was started with: a re-time (another
  // replica's start or finish, here or while this actor waits in the engine) marks it
  // cancelled, and what is left starts again at the new pace.
  do {
    cancelled_[r] = 0;
    auto exec = sg4::this_actor::exec_init(cap_.remaining_s(replica) * kHostFlopsPerS);
    running_[r] = exec;
    exec->start();
    if (cancelled_[r]) {
      if (exec->get_state() == sg4::Activity::State::STARTED) exec->cancel();
      continue;
    }
    try {
      exec->wait();
    } catch (const simgrid::CancelException&) {
      // cancelled_ says so too
    }
  } while (cancelled_[r]);
  running_[r] = nullptr;
  IterationDone done = cap_.finish(replica, sg4::Engine::get_clock());
  retime(cap_.moved());
  return done;
}

std::string ServingPower::write(double end_s) {
  cap_.end(end_s);
  const auto& samples = cap_.samples();
  std::string out = fmt::format("power {:a} {:a} {} {}\n", cap_.cap_w(), cap_.peak_w(),
                                cap_.throttled_iterations(), samples.size());
  for (const auto& s : samples) out += fmt::format("{:a} {:a}\n", s.time_s, s.power_w);
  return out;
}

void ServingPower::read(std::istream& in, ServingLoadResult& load) {
  auto num = [](const std::string& s) { return std::strtod(s.c_str(), nullptr); };
  std::string word, a, b;
  size_t count = 0;
  in >> word >> a >> b >> load.cap_throttled_iterations >> count;
  load.cluster_power_cap_w = num(a);
  load.cluster_power_peak_w = num(b);
  load.power_samples.resize(count);
  for (auto& s : load.power_samples) {
    in >> a >> b;
    s.time_s = num(a);
    s.power_w = num(b);
  }
}

}  // namespace kcsim::event

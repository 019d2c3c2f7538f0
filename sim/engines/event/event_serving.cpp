#include "sim/engines/event/event_serving.hpp"

#include <memory>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Mailbox.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include "hw-models/power_model.hpp"
#include "sim/cost/serving_batch_cost.hpp"
#include "sim/engines/event/observers/serving_traffic.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/serving_signals.hpp"
#include "sim/engines/event/serving_power.hpp"
#include "topology/cluster_topology.hpp"
#include "workloads/serving/replica_scheduler.hpp"
#include "workloads/serving/router.hpp"

namespace kcsim::event {
namespace {

namespace sg4 = simgrid::s4u;
using serving::ReplicaLoad;
using serving::ReplicaScheduler;
using serving::SequenceState;

struct Loop {
  const ClusterModel& cluster;
  const ServingSpec& spec;
  const ServingLoadOptions& options;
  const serving::RequestStream& requests;
  ServingPower power;      // prices and runs iterations at their DVFS states (serving_power.hpp)
  ServingTraffic traffic;  // observes the loop's iterations and KV transfers
  Platform platform;
  int prefill_pool = 0;           // replicas [0, prefill_pool) take new requests
  double kv_bytes_per_token = 0;  // one replica, all devices
  std::vector<SequenceState> seqs;
  std::vector<ReplicaScheduler> schedulers;
  // An idle replica waits on its semaphore. Not Actor::suspend: suspending an actor suspends
  // its activities too, so a prefill replica's detached KV transfers would stall with it.
  std::vector<sg4::SemaphorePtr> wakeups;
  std::vector<char> idle;
  std::vector<ReplicaUse> use;
  std::vector<IterationUse> log;
  std::unique_ptr<serving::Router> router, decode_router;  // new requests; prefilled ones
  long long iterations = 0, unfinished = 0, in_system = 0;
  double batch_sequences = 0, in_system_integral = 0, last_change_s = 0, kv_transfer_bytes = 0;
  sg4::SemaphorePtr all_done = sg4::Semaphore::create(0);  // released when unfinished hits 0
  std::string error;                     // what an actor threw; the run then stops and reports it
  std::vector<sg4::Mailbox*> mailboxes;  // disaggregated: KV caches arriving at each replica
  std::vector<int64_t> ids;              // request ids, as transfer payloads

  Loop(const ClusterModel& c, const ServingSpec& s, const ServingLoadOptions& o,
       const serving::RequestStream& r)
      : cluster(c),
        spec(s),
        options(o),
        requests(r),
        power(c, s, o.cluster_power_cap_w, o.record_iterations),
        traffic(s),
        router(serving::make_router(o.router)),
        decode_router(serving::make_router(o.router)) {}

  void count_in_system(int delta) {
    double now = sg4::Engine::get_clock();
    in_system_integral += static_cast<double>(in_system) * (now - last_change_s);
    last_change_s = now;
    in_system += delta;
  }
  void done(int64_t) {
    count_in_system(-1);
    if (--unfinished == 0) all_done->release();
  }
  void wake(int replica) {
    if (idle[static_cast<size_t>(replica)]) {
      idle[static_cast<size_t>(replica)] = 0;
      wakeups[static_cast<size_t>(replica)]->release();
    }
  }
  int pick(serving::Router& which, int from, int to) const {
    std::vector<ReplicaLoad> loads;
    loads.reserve(static_cast<size_t>(to - from));
    for (int r = from; r < to; ++r) {
      const auto& s = schedulers[static_cast<size_t>(r)];
      loads.push_back({s.outstanding(), s.outstanding_tokens()});
    }
    return from + which.pick(loads);
  }
  int replica_devices() const { return spec.tp * spec.pp; }
  sg4::Host* device(int replica, int rank) const {
    return platform.devices[static_cast<size_t>(replica * replica_devices() + rank)];
  }
  void hand_off(int64_t id);
};

// The KV cache goes from the prefill replica's devices to the decode replica's, each device
// (TP rank of a stage) sending its share to the same device on its own rail at the same time;
// one flow between the first devices, carrying one device's share, stands for them (the
// devices' flows are alike). The decode replica's receivers queue the request there once it
// has landed.
void Loop::hand_off(int64_t id) {
  auto& seq = seqs[static_cast<size_t>(id)];
  int to = pick(*decode_router, prefill_pool, static_cast<int>(schedulers.size()));
  seq.decode_replica = to;
  double bytes = kv_bytes_per_token * static_cast<double>(seq.kv_tokens);
  kv_transfer_bytes += bytes;
  kv_transfer_signal().emit({seq.replica, to, bytes});
  // Sent by the calling prefill replica's actor, from its first device.
  mailboxes[static_cast<size_t>(to)]
      ->put_init(&ids[static_cast<size_t>(id)], static_cast<uint64_t>(bytes / replica_devices()))
      ->detach();
}

// Takes KV caches as they land at decode replica `r` and queues their requests there. Each
// replica has kReceivers of these, so that many transfers to it proceed at once.
constexpr int kReceivers = 8;
void receiver_program(Loop& loop, int r) {
  auto* mailbox = loop.mailboxes[static_cast<size_t>(r)];
  while (true) {
    int64_t id = *mailbox->get<int64_t>();
    loop.schedulers[static_cast<size_t>(r)].enqueue(id);
    loop.wake(r);
  }
}

void replica_program(Loop& loop, int r) {
  auto& scheduler = loop.schedulers[static_cast<size_t>(r)];
  auto& use = loop.use[static_cast<size_t>(r)];
  std::vector<int64_t> finished, handed_off;
  MixedBatch mixed;
  while (true) {
    if (!scheduler.has_work()) {
      loop.idle[static_cast<size_t>(r)] = 1;
      loop.wakeups[static_cast<size_t>(r)]->acquire();
      continue;
    }
    const auto& batch = scheduler.next_batch();
    mixed.prefill_chunks.clear();
    for (const auto& e : batch.entries) {
      if (e.prefill) mixed.prefill_chunks.emplace_back(e.new_tokens, e.context);
    }
    mixed.decode_sequences = batch.decode_sequences;
    mixed.decode_context_sum = batch.decode_context_sum;
    double start = sg4::Engine::get_clock();
    double kv_used = static_cast<double>(scheduler.kv().used_blocks());
    // Priced and run at the DVFS states the device and cluster power caps allow.
    IterationDone run = loop.power.run(r, mixed);
    int64_t tokens = mixed.decode_sequences;
    for (const auto& [n, context] : mixed.prefill_chunks) tokens += n;
    serving_iteration_signal().emit({r, tokens});
    double t = run.duration_s;

    ++use.iterations;
    use.busy_s += t;
    use.compute_busy_s += run.compute_busy_s;
    use.memory_busy_s += run.memory_busy_s;
    use.kv_utilization_mean += kv_used * t;  // block-seconds; divided at the end
    use.device_energy_j += loop.spec.tp * run.energy.total_j();  // memory included
    use.memory_energy_j += loop.spec.tp * run.energy.memory_j;
    ++loop.iterations;
    auto sequences = static_cast<int>(batch.entries.size());
    loop.batch_sequences += sequences;
    if (loop.options.record_iterations) {
      loop.log.push_back({r, start, t, t > 0 ? run.compute_busy_s / t : 0,
                          t > 0 ? run.memory_busy_s / t : 0, sequences, batch.prefill_tokens,
                          run.speed, run.power_w});
    }
    finished.clear();
    handed_off.clear();
    scheduler.complete(sg4::Engine::get_clock(), finished, handed_off);
    for (int64_t id : finished) loop.done(id);
    for (int64_t id : handed_off) loop.hand_off(id);
  }
}

void arrival_program(Loop& loop) {
  for (const auto& request : loop.requests) {
    sg4::this_actor::sleep_until(request.arrival_s);
    auto id = static_cast<size_t>(request.id);
    loop.count_in_system(+1);
    auto& seq = loop.seqs[id];
    int r = loop.pick(*loop.router, 0, loop.prefill_pool);
    seq.replica = r;
    auto& scheduler = loop.schedulers[static_cast<size_t>(r)];
    if (!scheduler.can_ever_hold(request.id)) {
      seq.rejected = true;
      loop.done(request.id);
      continue;
    }
    scheduler.enqueue(request.id);
    loop.wake(r);
  }
  // The simulation ends when this, its only non-daemon actor, does.
  loop.all_done->acquire();
}

// Runs an actor's body; an exception (a failed invariant check, say) is kept for the caller
// and ends the simulation instead of leaving SimGrid to report the stranded actors.
template <class Body>
void guarded(Loop& loop, Body body) {
  try {
    body();
  } catch (const std::exception& e) {
    if (loop.error.empty()) loop.error = e.what();
    sg4::Actor::kill_all();
  }
}

// Pairs of devices that exchange KV caches: the first device of every prefill replica with
// the first of every decode replica.
std::vector<std::pair<int, int>> transfer_pairs(int replica_devices, int prefill_pool,
                                                int replicas) {
  std::vector<std::pair<int, int>> pairs;
  for (int p = 0; p < prefill_pool; ++p) {
    for (int d = prefill_pool; d < replicas; ++d) {
      pairs.emplace_back(p * replica_devices, d * replica_devices);
    }
  }
  return pairs;
}

// The run's raw outcome, ended at `end_s`, from what the loop counted.
ServingLoopOutput collect(Loop& loop, const topology::Topology& topology, double end_s) {
  ServingLoopOutput out;
  ServingLoadResult& load = out.load;
  load.simulated_time_s = end_s;
  load.iterations = loop.iterations;
  load.kv_transfer_bytes = loop.kv_transfer_bytes;
  out.in_system_integral = loop.in_system_integral;
  out.batch_sequences_sum = loop.batch_sequences;
  load.requests.resize(loop.seqs.size());
  for (size_t i = 0; i < loop.seqs.size(); ++i) {
    const auto& s = loop.seqs[i];
    const auto& r = loop.requests[i];
    load.requests[i] = {r.id,           r.arrival_s,     s.first_token_s, s.finish_s,
                        r.input_tokens, r.output_tokens, s.replica,       s.decode_replica,
                        s.preemptions,  s.rejected};
  }
  load.replica_use = std::move(loop.use);
  load.iteration_log = std::move(loop.log);
  loop.power.record(end_s, load);
  loop.traffic.record(topology, end_s, load, out.links);
  return out;
}

}  // namespace

ServingLoopOutput run_serving_loop(const ClusterModel& cluster, const ServingSpec& spec,
                                   const ServingLoadOptions& options,
                                   const serving::RequestStream& requests, int64_t kv_blocks) {
  auto engine = start_engine();
  Loop loop(cluster, spec, options, requests);
  loop.traffic.attach();
  int replicas = spec.replicas;
  loop.prefill_pool = replicas;
  if (options.disaggregated) {
    loop.prefill_pool = options.prefill_replicas > 0 ? options.prefill_replicas : replicas / 2;
  }
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  loop.platform = build_platform(
      *engine, topology, transfer_pairs(loop.replica_devices(), loop.prefill_pool, replicas));
  loop.kv_bytes_per_token =
      serving_kv_bytes_per_token_per_device(spec.model, spec.kv_dtype, spec.tp) * spec.tp;
  loop.seqs.resize(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].id != static_cast<int64_t>(i)) {
      throw std::invalid_argument("request ids must count from 0 in order");
    }
    auto& s = loop.seqs[i];
    s.input_tokens = requests[i].input_tokens;
    s.output_tokens = requests[i].output_tokens;
    s.arrival_s = requests[i].arrival_s;
  }
  loop.unfinished = static_cast<long long>(requests.size());
  serving::SchedulerConfig config;
  config.policy = options.policy;
  config.max_batch = options.max_batch;
  config.chunk_tokens = options.chunk_tokens;
  config.prefill_token_budget = options.prefill_token_budget;
  loop.schedulers.reserve(static_cast<size_t>(replicas));
  for (int r = 0; r < replicas; ++r) {
    config.hand_off_after_prefill = options.disaggregated && r < loop.prefill_pool;
    loop.schedulers.emplace_back(
        config, serving::KvBlockManager(kv_blocks, options.block_tokens, options.checked_kv),
        loop.seqs);
    ReplicaUse use;
    use.replica = r;
    use.pool = !options.disaggregated ? "mixed" : (r < loop.prefill_pool ? "prefill" : "decode");
    loop.use.push_back(use);
  }
  loop.idle.assign(static_cast<size_t>(replicas), 0);
  if (options.disaggregated) {
    loop.ids.resize(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) loop.ids[i] = static_cast<int64_t>(i);
    for (int r = 0; r < replicas; ++r) {
      loop.mailboxes.push_back(sg4::Mailbox::by_name(fmt::format("kv{}", r)));
    }
  }
  loop.power.start(loop.device(0, 0));
  for (int r = 0; r < replicas; ++r) {
    loop.wakeups.push_back(sg4::Semaphore::create(0));
    sg4::Actor::create(fmt::format("replica{}", r), loop.device(r, 0), [&loop, r] {
      guarded(loop, [&] { replica_program(loop, r); });
    })->daemonize();
    for (int k = 0; options.disaggregated && r >= loop.prefill_pool && k < kReceivers; ++k) {
      sg4::Actor::create(fmt::format("kv-receiver{}.{}", r, k), loop.device(r, 0), [&loop, r] {
        guarded(loop, [&] { receiver_program(loop, r); });
      })->daemonize();
    }
  }
  sg4::Actor::create("arrivals", loop.device(0, 0),
                     [&loop] { guarded(loop, [&] { arrival_program(loop); }); });
  if (options.stop_s > 0) {
    engine->run_until(options.stop_s);
  } else {
    engine->run();
  }
  if (!loop.error.empty()) throw std::logic_error("serving loop: " + loop.error);
  // Without a stop time every request must have finished or been rejected: anything left is
  // a stall in the loop itself, not a request still in flight.
  if (options.stop_s <= 0 && loop.unfinished > 0) {
    throw std::logic_error(fmt::format(
        "serving loop: the simulation ended at {:.6g} s with {} of {} requests unfinished",
        sg4::Engine::get_clock(), loop.unfinished, requests.size()));
  }
  double end_s = sg4::Engine::get_clock();
  loop.count_in_system(0);
  return collect(loop, topology, end_s);
}

}  // namespace kcsim::event

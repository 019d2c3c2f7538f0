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

// One pool of the loop's replicas (a ServingSide placed): replicas [first_replica,
// first_replica + spec.replicas) on devices first_device onwards, replica by replica.
struct Side {
  const ClusterModel& cluster;
  const ServingSpec& spec;
  int64_t kv_blocks;
  int first_replica, first_device;
  ServingPower power;  // prices and runs its iterations at their DVFS states (serving_power.hpp)
  double kv_bytes_per_token;  // one replica, all devices, in its KV dtype

  Side(const ServingSide& side, int replica, int device, const ServingLoadOptions& o)
      : cluster(side.cluster),
        spec(side.spec),
        kv_blocks(side.kv_blocks),
        first_replica(replica),
        first_device(device),
        power(side.cluster, side.spec, o.cluster_power_cap_w, o.record_iterations),
        kv_bytes_per_token(serving_kv_bytes_per_token_per_device(side.spec.model,
                                                                 side.spec.kv_dtype, side.spec.tp) *
                           side.spec.tp) {}
  int replica_devices() const { return spec.tp * spec.pp; }
  bool holds(int replica) const {
    return replica >= first_replica && replica < first_replica + spec.replicas;
  }
};

struct Loop {
  const ServingLoadOptions& options;
  const serving::RequestStream& requests;
  std::vector<std::unique_ptr<Side>> sides;  // one, or prefill then decode
  ServingTraffic traffic;                    // observes the loop's iterations and KV transfers
  Platform platform;
  int prefill_pool = 0;  // replicas [0, prefill_pool) take new requests
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
  double kv_conversion_bytes = 0;        // KV caches converted between the sides' dtypes

  Loop(const std::vector<ServingSide>& s, const ServingLoadOptions& o,
       const serving::RequestStream& r)
      : options(o),
        requests(r),
        traffic(traffic_sides(s)),
        router(serving::make_router(o.router)),
        decode_router(serving::make_router(o.router)) {
    int replica = 0, device = 0;
    for (const auto& side : s) {
      sides.push_back(std::make_unique<Side>(side, replica, device, o));
      replica += side.spec.replicas;
      device += side.cluster.devices();
    }
  }
  static std::vector<TrafficSide> traffic_sides(const std::vector<ServingSide>& s) {
    std::vector<TrafficSide> out;
    int replica = 0, device = 0;
    for (const auto& side : s) {
      out.push_back({&side.spec, replica, device});
      replica += side.spec.replicas;
      device += side.cluster.devices();
    }
    return out;
  }
  Side& side(int replica) const {
    for (const auto& s : sides) {
      if (s->holds(replica)) return *s;
    }
    throw std::logic_error(fmt::format("serving loop: replica {} is on no side", replica));
  }
  int replicas() const { return sides.back()->first_replica + sides.back()->spec.replicas; }

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
  sg4::Host* device(int replica, int rank) const {
    const Side& s = side(replica);
    int index = s.first_device + (replica - s.first_replica) * s.replica_devices() + rank;
    return platform.devices[static_cast<size_t>(index)];
  }
  void hand_off(int64_t id);
  // Seconds and memory energy (J, all the decode replica's devices) of converting `bytes` of
  // KV cache in `from`'s dtype into `to`'s on `to`'s devices: read once, written once, at
  // their memory bandwidth and DRAM power; none when the dtypes match.
  std::pair<double, double> conversion(const Side& from, const Side& to, double bytes) const;
};

std::pair<double, double> Loop::conversion(const Side& from, const Side& to, double bytes) const {
  if (from.spec.kv_dtype == to.spec.kv_dtype || from.kv_bytes_per_token <= 0) return {0, 0};
  double written = bytes * to.kv_bytes_per_token / from.kv_bytes_per_token;
  double per_device = (bytes + written) / to.replica_devices();
  double seconds = per_device / to.cluster.chip.memory_bandwidth_bytes_per_s();
  return {seconds, seconds * to.cluster.chip.dram_w() * to.replica_devices()};
}

// The KV cache goes from the prefill replica's devices to the decode replica's, each device
// (TP rank of a stage) sending its share to the same device on its own rail at the same time;
// one flow between the first devices, carrying one device's share, stands for them (the
// devices' flows are alike). The decode replica's receivers queue the request there once it
// has landed.
void Loop::hand_off(int64_t id) {
  auto& seq = seqs[static_cast<size_t>(id)];
  int to = pick(*decode_router, prefill_pool, static_cast<int>(schedulers.size()));
  seq.decode_replica = to;
  const Side& from = side(seq.replica);
  double bytes = from.kv_bytes_per_token * static_cast<double>(seq.kv_tokens);
  kv_transfer_bytes += bytes;
  kv_transfer_signal().emit({seq.replica, to, bytes});
  // Sent by the calling prefill replica's actor, from its first device.
  mailboxes[static_cast<size_t>(to)]
      ->put_init(&ids[static_cast<size_t>(id)],
                 static_cast<uint64_t>(bytes / from.replica_devices()))
      ->detach();
}

// Takes KV caches as they land at decode replica `r` and queues their requests there. Each
// replica has kReceivers of these, so that many transfers to it proceed at once.
constexpr int kReceivers = 8;
void receiver_program(Loop& loop, int r) {
  auto* mailbox = loop.mailboxes[static_cast<size_t>(r)];
  const Side& to = loop.side(r);
  while (true) {
    int64_t id = *mailbox->get<int64_t>();
    const auto& seq = loop.seqs[static_cast<size_t>(id)];
    const Side& from = loop.side(seq.replica);
    double bytes = from.kv_bytes_per_token * static_cast<double>(seq.kv_tokens);
    auto [seconds, joules] = loop.conversion(from, to, bytes);
    if (seconds > 0) {
      loop.kv_conversion_bytes += bytes;
      auto& use = loop.use[static_cast<size_t>(r)];
      use.device_energy_j += joules;
      use.memory_energy_j += joules;
      sg4::this_actor::sleep_for(seconds);
    }
    loop.schedulers[static_cast<size_t>(r)].enqueue(id);
    loop.wake(r);
  }
}

void replica_program(Loop& loop, int r) {
  auto& scheduler = loop.schedulers[static_cast<size_t>(r)];
  auto& use = loop.use[static_cast<size_t>(r)];
  Side& side = loop.side(r);
  std::vector<int64_t> finished, handed_off;
  MixedBatch mixed;
  while (true) {
    if (!scheduler.has_work()) {
      side.power.idle();
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
    IterationDone run = side.power.run(r - side.first_replica, mixed);
    int64_t tokens = mixed.decode_sequences;
    for (const auto& [n, context] : mixed.prefill_chunks) tokens += n;
    serving_iteration_signal().emit({r, tokens});
    double t = run.duration_s;

    ++use.iterations;
    use.busy_s += t;
    use.compute_busy_s += run.compute_busy_s;
    use.memory_busy_s += run.memory_busy_s;
    use.kv_utilization_mean += kv_used * t;  // block-seconds; divided at the end
    use.device_energy_j += side.spec.tp * run.energy.total_j();  // memory included
    use.memory_energy_j += side.spec.tp * run.energy.memory_j;
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
std::vector<std::pair<int, int>> transfer_pairs(const Loop& loop) {
  auto first_device = [&](int r) {
    const Side& s = loop.side(r);
    return s.first_device + (r - s.first_replica) * s.replica_devices();
  };
  std::vector<std::pair<int, int>> pairs;
  for (int p = 0; p < loop.prefill_pool; ++p) {
    for (int d = loop.prefill_pool; d < loop.replicas(); ++d) {
      pairs.emplace_back(first_device(p), first_device(d));
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
  load.kv_conversion_bytes = loop.kv_conversion_bytes;
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
  // The first side's power record is the run's; a second side's peak and throttled iterations
  // join it (its samples are not merged: each side keeps its own pace).
  for (size_t i = 0; i < loop.sides.size(); ++i) {
    ServingLoadResult side_load;
    loop.sides[i]->power.record(end_s, i == 0 ? load : side_load);
    out.side_power_peak_w.push_back(i == 0 ? load.cluster_power_peak_w
                                           : side_load.cluster_power_peak_w);
    if (i > 0) {
      load.cluster_power_peak_w += side_load.cluster_power_peak_w;
      load.cap_throttled_iterations += side_load.cap_throttled_iterations;
    }
  }
  loop.traffic.record(topology, end_s, load, out.links);
  return out;
}

}  // namespace

ServingLoopOutput run_serving_loop(const std::vector<ServingSide>& sides,
                                   const topology::Topology& topology,
                                   const ServingLoadOptions& options,
                                   const serving::RequestStream& requests) {
  if (sides.empty() || sides.size() > 2) {
    throw std::invalid_argument("a serving loop runs on one side, or on two disaggregated");
  }
  auto& engine = start_engine();
  Loop loop(sides, options, requests);
  loop.traffic.attach();
  int replicas = loop.replicas();
  bool disaggregated = options.disaggregated || sides.size() == 2;
  loop.prefill_pool = replicas;
  if (sides.size() == 2) {
    loop.prefill_pool = sides.front().spec.replicas;
  } else if (options.disaggregated) {
    loop.prefill_pool = options.prefill_replicas > 0 ? options.prefill_replicas : replicas / 2;
  }
  loop.platform = build_platform(engine, topology, transfer_pairs(loop));
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
    config.hand_off_after_prefill = disaggregated && r < loop.prefill_pool;
    loop.schedulers.emplace_back(
        config,
        serving::KvBlockManager(loop.side(r).kv_blocks, options.block_tokens, options.checked_kv),
        loop.seqs);
    ReplicaUse use;
    use.replica = r;
    use.pool = !disaggregated ? "mixed" : (r < loop.prefill_pool ? "prefill" : "decode");
    loop.use.push_back(use);
  }
  loop.idle.assign(static_cast<size_t>(replicas), 0);
  if (disaggregated) {
    loop.ids.resize(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) loop.ids[i] = static_cast<int64_t>(i);
    for (int r = 0; r < replicas; ++r) {
      loop.mailboxes.push_back(sg4::Mailbox::by_name(fmt::format("kv{}", r)));
    }
  }
  for (int r = 0; r < replicas; ++r) {
    loop.wakeups.push_back(sg4::Semaphore::create(0));
    sg4::Actor::create(fmt::format("replica{}", r), loop.device(r, 0), [&loop, r] {
      guarded(loop, [&] { replica_program(loop, r); });
    })->daemonize();
    for (int k = 0; disaggregated && r >= loop.prefill_pool && k < kReceivers; ++k) {
      sg4::Actor::create(fmt::format("kv-receiver{}.{}", r, k), loop.device(r, 0), [&loop, r] {
        guarded(loop, [&] { receiver_program(loop, r); });
      })->daemonize();
    }
  }
  sg4::Actor::create("arrivals", loop.device(0, 0),
                     [&loop] { guarded(loop, [&] { arrival_program(loop); }); });
  if (options.stop_s > 0) {
    engine.run_until(options.stop_s);
  } else {
    engine.run();
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

#include "sim/engines/event/chakra_replay.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <xbt/log.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"
#include "hw-models/dvfs.hpp"
#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"
#include "sim/cost/chakra_collective.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/observers/link_traffic.hpp"
#include "sim/engines/event/observers/span_energy.hpp"
#include "sim/engines/event/observers/trace_recorder.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "sim/engines/event/platform/span_signal.hpp"
#include "sim/power/energy_ledger.hpp"
#include "topology/cluster_topology.hpp"
#include "workloads/chakra_groups.hpp"

namespace kcsim {
namespace {

namespace sg4 = simgrid::s4u;

struct Replay {
  const std::vector<ChakraTrace>& traces;
  const ClusterModel& cluster;
  const ChakraGroups& groups;
  event::Platform platform;
  std::vector<RankTime> times;
  std::vector<double> finish;
  // Only one group's rings ever use the links inside a server: those ring stages take their
  // closed-form time instead of running as flows (same result, far fewer activities).
  bool intra_node_private = false;
  // Per rank: the nodes issued and not yet done, and whether every node ran.
  std::vector<std::set<uint64_t>> in_flight;
  std::vector<char> finished;
};

bool only_one_group_inside_servers(const std::vector<ChakraTrace>& traces,
                                   const ChakraGroups& groups, int per_node) {
  int sharing = 0;
  for (const auto& group : groups.groups) sharing += group.per_node > 1 ? 1 : 0;
  if (sharing > 1) return false;
  for (const auto& trace : traces) {
    for (const auto& node : trace.nodes) {
      if (node.type() != chakra::COMM_SEND_NODE) continue;
      auto dst = chakra_int_attribute(node, "comm_dst").value_or(trace.rank);
      if (dst / per_node == trace.rank / per_node) return false;
    }
  }
  return true;
}

// A compute or memory node: how long it takes and the device power meanwhile.
struct NodeWork {
  double seconds = 0;
  double power_w = 0;
};

// An op the trace describes by its work, run under the device's power limit (its TDP).
NodeWork priced_work(const ClusterModel& cluster, const Op& op, Dtype dtype) {
  DvfsChoice run = choose_state_under_cap(
      cluster.chip, cluster.chip.tdp_w(),
      [&](const DvfsPoint& s) { return op_cost(cluster.chip, op, dtype, Execution{s}); });
  return {run.cost.time_s, busy_power(cluster.chip, run.cost).total_w()};
}

Dtype replay_dtype(const ChipModel& chip) {
  for (auto preferred : {config::BF16, config::FP16}) {
    if (chip.supports(preferred)) return preferred;
  }
  return chip.dtypes().front();
}

NodeWork node_work(const ClusterModel& cluster, const chakra::Node& node) {
  auto ops = chakra_int_attribute(node, "num_ops");
  auto bytes = chakra_int_attribute(node, "tensor_size");
  if (node.type() == chakra::MEM_LOAD_NODE || node.type() == chakra::MEM_STORE_NODE) {
    double moved = bytes ? static_cast<double>(*bytes) : 0.0;
    // A streaming copy: memory traffic with no launch overhead of its own.
    NodeWork work{moved / (cluster.chip.memory_bandwidth_bytes_per_s() *
                           cluster.chip.efficiency().memory_max()),
                  0};
    OpCost copy = op_cost(cluster.chip, Op{node.name(), OpKind::Vector, 0, moved},
                          replay_dtype(cluster.chip));
    work.power_w = busy_power(cluster.chip, copy).total_w();
    return work;
  }
  if (ops || bytes) {
    Op op{node.name(), OpKind::Gemm, ops ? static_cast<double>(*ops) : 0.0,
          bytes ? static_cast<double>(*bytes) : 0.0};
    return priced_work(cluster, op, replay_dtype(cluster.chip));
  }
  // A measured kernel time says nothing of what it kept busy: it is taken at full draw.
  if (auto ns = chakra_int_attribute(node, kDurationNsAttribute)) {
    return {static_cast<double>(*ns) * 1e-9, cluster.chip.tdp_w()};
  }
  return {static_cast<double>(node.duration_micros()) * 1e-6, cluster.chip.tdp_w()};
}

// Where a rank's finished work is reported: the streams and transfers that run its nodes push
// the node's index and wake the rank's scheduler, which then issues what that node freed.
struct RankInbox {
  std::deque<size_t> done;
  sg4::SemaphorePtr wake = sg4::Semaphore::create(0);
  void finish(size_t node) {
    done.push_back(node);
    wake->release();
  }
};

// Jobs run one after another on one actor, in the order they were posted: a rank's compute
// stream (node indices), or a rank's collectives of one group, as NCCL runs a communicator's.
// One actor per stream rather than one per node keeps actor creation, the costliest thing
// SimGrid does, out of the run's growth.
template <typename Job>
struct Stream {
  std::deque<Job> jobs;
  sg4::SemaphorePtr posted = sg4::Semaphore::create(0);
  void post(Job job) {
    jobs.push_back(std::move(job));
    posted->release();
  }
  Job next() {
    posted->acquire();
    Job job = std::move(jobs.front());
    jobs.pop_front();
    return job;
  }
};

struct CollectiveJob {
  event::CollectiveCall call;
  int position = 0;
  size_t node = 0;
};

void collective_stream(Stream<CollectiveJob>& stream, RankInbox& inbox, int rank, int total) {
  for (int k = 0; k < total; ++k) {
    auto job = stream.next();
    double start = sg4::Engine::get_clock();
    event::run_collective(job.call, job.position);
    if (!event::span_signal().empty()) {
      event::span_signal().emit(
          {rank, "collectives", "collective", start, sg4::Engine::get_clock()});
    }
    inbox.finish(job.node);
  }
}

void compute_stream(Replay& run, Stream<size_t>& stream, RankInbox& inbox, int rank, int total) {
  const auto& trace = run.traces[rank];
  for (int k = 0; k < total; ++k) {
    size_t i = stream.next();
    NodeWork work = node_work(run.cluster, trace.nodes[i]);
    double start = sg4::Engine::get_clock();
    sg4::this_actor::execute(work.seconds * event::kHostFlopsPerS);
    run.times[rank].compute_s += work.seconds;
    if (!event::span_signal().empty()) {
      event::span_signal().emit(
          {rank, "compute", "compute", start, sg4::Engine::get_clock(), work.power_w});
    }
    inbox.finish(i);
  }
}

// A send or receive, run on one of the rank's point-to-point lanes; a job without a tag stops
// the lane.
struct P2pJob {
  std::string tag;
  bool send = false;
  double bytes = 0;
  const sg4::Host* to = nullptr;
  size_t node = 0;
};

// Sends and receives run side by side, each on a lane actor that waits for its transfer. A
// lane takes the next job when its transfer is done, and a new lane starts only when every lane
// is busy: as many actors as transfers in flight at once, not one per node (a SimGrid actor is
// costly to create and keeps its stack).
struct P2pLanes {
  Stream<P2pJob> stream;
  int lanes = 0;
  int idle = 0;  // lanes waiting for a job
};

void p2p_lane(P2pLanes& p2p, RankInbox& inbox) {
  while (true) {
    ++p2p.idle;
    P2pJob job = p2p.stream.next();
    --p2p.idle;
    if (job.tag.empty()) return;
    if (job.send) {
      event::send_bytes(job.tag, job.bytes, job.to)->wait();
    } else {
      event::receive_bytes(job.tag);
    }
    inbox.finish(job.node);
  }
}

bool is_compute(const chakra::Node& node) {
  return node.type() == chakra::COMP_NODE || node.type() == chakra::MEM_LOAD_NODE ||
         node.type() == chakra::MEM_STORE_NODE;
}

// The rank's scheduler: a node is issued once its data and control dependencies are done, as
// ASTRA-sim issues them. Compute and memory nodes queue on the rank's compute stream, a
// collective on its group's stream, a send or receive runs on its own; a ready node never
// waits behind one that is blocked. Time with nothing to compute while something is in flight
// is exposed communication.
void rank_program(Replay& run, int rank) {
  const auto& trace = run.traces[rank];
  const size_t n = trace.nodes.size();
  auto& time = run.times[rank];
  sg4::Host* host = run.platform.devices[rank];
  const auto& devices = run.platform.devices;
  const int ranks = static_cast<int>(run.traces.size());

  std::unordered_map<uint64_t, size_t> index;
  for (size_t i = 0; i < n; ++i) index[trace.nodes[i].id()] = i;
  std::vector<int> waiting(n, 0);
  std::vector<std::vector<size_t>> dependents(n);
  for (size_t i = 0; i < n; ++i) {
    for (const auto* deps : {&trace.nodes[i].data_deps(), &trace.nodes[i].ctrl_deps()}) {
      for (uint64_t dep : *deps) {
        dependents[index.at(dep)].push_back(i);
        ++waiting[i];
      }
    }
  }

  RankInbox inbox;
  int computes = 0;
  for (const auto& node : trace.nodes) computes += is_compute(node) ? 1 : 0;
  Stream<size_t> compute;
  if (computes > 0) {
    sg4::Actor::create(fmt::format("r{}compute", rank), host,
                       [&run, &compute, &inbox, rank, computes] {
                         compute_stream(run, compute, inbox, rank, computes);
                       });
  }
  std::map<int, int> collectives_in;  // group -> collectives this rank runs in it
  for (const auto& [id, g] : run.groups.of_node[rank]) {
    if (run.groups.groups[g].members.size() > 1) ++collectives_in[g];
  }
  std::map<int, Stream<CollectiveJob>> streams;
  for (auto [g, total] : collectives_in) {
    auto& stream = streams[g];
    sg4::Actor::create(fmt::format("r{}g{}", rank, g), host, [&stream, &inbox, rank, total] {
      collective_stream(stream, inbox, rank, total);
    });
  }
  // Shared with the lanes, which outlive this actor by the moment they take their stop job.
  auto p2p = std::make_shared<P2pLanes>();
  std::unordered_map<int, int> collectives_run;  // per group
  auto& in_flight = run.in_flight[rank];
  int computing = 0;  // compute nodes queued or running
  size_t completed = 0;
  std::vector<size_t> ready;

  // Starts node i; returns false when it has nothing to run and is done at once.
  auto issue = [&](size_t i) {
    const auto& node = trace.nodes[i];
    switch (node.type()) {
      case chakra::COMP_NODE:
      case chakra::MEM_LOAD_NODE:
      case chakra::MEM_STORE_NODE:
        ++computing;
        compute.post(i);
        return true;
      case chakra::COMM_COLL_NODE: {
        int g = run.groups.of_node[rank].at(node.id());
        const ChakraGroup& group = run.groups.groups[g];
        if (group.members.size() < 2) return false;
        int position =
            static_cast<int>(std::lower_bound(group.members.begin(), group.members.end(), rank) -
                             group.members.begin());
        event::CollectiveCall call{
            fmt::format("{}#{}", group.key, collectives_run[g]++),
            static_cast<int>(group.members.size()),
            [&devices, &group](int k) { return devices[group.members[k]]; },
            group.per_node,
            collective_of_chakra(chakra_int_attribute(node, "comm_type").value_or(0)),
            static_cast<double>(chakra_int_attribute(node, "comm_size").value_or(0)),
            run.cluster.chip.efficiency().collective_max(),
            1,
            run.intra_node_private,
            Algorithm(),
            &run.cluster.tiers};
        streams.at(g).post({std::move(call), position, i});
        return true;
      }
      case chakra::COMM_SEND_NODE:
      case chakra::COMM_RECV_NODE: {
        int src = static_cast<int>(chakra_int_attribute(node, "comm_src").value_or(rank));
        int dst = static_cast<int>(chakra_int_attribute(node, "comm_dst").value_or(rank));
        auto tag = fmt::format("p2p/{}/{}/{}", src, dst,
                               chakra_int_attribute(node, "comm_tag").value_or(0));
        P2pJob job{std::move(tag), node.type() == chakra::COMM_SEND_NODE, 0.0, nullptr, i};
        if (job.send) {
          // Sends reach the links' share collectives do (NCCL's send/recv run the same kernels).
          job.bytes = static_cast<double>(chakra_int_attribute(node, "comm_size").value_or(0)) /
                      run.cluster.chip.efficiency().collective_max();
          job.to = devices[std::clamp(dst, 0, ranks - 1)];
        }
        if (p2p->idle <= static_cast<int>(p2p->stream.jobs.size())) {
          ++p2p->lanes;
          sg4::Actor::create(fmt::format("r{}p2p{}", rank, p2p->lanes), host,
                             [p2p, &inbox] { p2p_lane(*p2p, inbox); });
        }
        p2p->stream.post(std::move(job));
        return true;
      }
      default:
        return false;
    }
  };
  // Marks node i done and readies the nodes it was the last dependency of.
  auto complete = [&](size_t i) {
    ++completed;
    in_flight.erase(trace.nodes[i].id());
    if (is_compute(trace.nodes[i])) --computing;
    for (size_t j : dependents[i]) {
      if (--waiting[j] == 0) ready.push_back(j);
    }
  };
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  while (true) {
    // Nodes made ready together are issued in file order.
    while (!ready.empty()) {
      std::vector<size_t> batch;
      batch.swap(ready);
      std::sort(batch.begin(), batch.end());
      for (size_t i : batch) {
        if (issue(i)) {
          in_flight.insert(trace.nodes[i].id());
        } else {
          complete(i);
        }
      }
    }
    if (completed == n) break;
    bool idle = computing == 0;
    double start = sg4::Engine::get_clock();
    inbox.wake->acquire();
    if (idle) time.exposed_comm_s += sg4::Engine::get_clock() - start;
    size_t i = inbox.done.front();
    inbox.done.pop_front();
    complete(i);
  }
  // Every lane waits for a job: the ones that stop it.
  for (int k = 0; k < p2p->lanes; ++k) p2p->stream.post(P2pJob{});
  run.finish[rank] = sg4::Engine::get_clock();
  run.finished[rank] = true;
}

// Checks every send has its receive, before the engine could wait on one forever.
void check_point_to_point(const std::vector<ChakraTrace>& traces) {
  std::unordered_map<std::string, int> balance;
  std::unordered_map<std::string, std::string> where;
  for (const auto& trace : traces) {
    for (const auto& node : trace.nodes) {
      bool send = node.type() == chakra::COMM_SEND_NODE;
      if (!send && node.type() != chakra::COMM_RECV_NODE) continue;
      int src = static_cast<int>(chakra_int_attribute(node, "comm_src").value_or(trace.rank));
      int dst = static_cast<int>(chakra_int_attribute(node, "comm_dst").value_or(trace.rank));
      if (src < 0 || dst < 0 || src >= static_cast<int>(traces.size()) ||
          dst >= static_cast<int>(traces.size())) {
        throw InputError(
            fmt::format("{}: rank {}: node {}: comm_src/comm_dst {} -> {} outside "
                        "the {} ranks",
                        trace.file, trace.rank, node.id(), src, dst, traces.size()));
      }
      auto key = fmt::format("{} -> {} tag {}", src, dst,
                             chakra_int_attribute(node, "comm_tag").value_or(0));
      balance[key] += send ? 1 : -1;
      where[key] = fmt::format("{}: rank {}: node {}", trace.file, trace.rank, node.id());
    }
  }
  for (const auto& [key, count] : balance) {
    if (count != 0) {
      throw InputError(fmt::format("{}: {} {} has no matching {}", where[key],
                                   count > 0 ? "send" : "receive", key,
                                   count > 0 ? "receive" : "send"));
    }
  }
}

// After the engine stopped: empty when every rank ran all its nodes, else what the first rank
// left behind is stuck on (SimGrid stops when every actor waits on something no one will do).
std::string deadlock(const Replay& run) {
  std::string first, others;
  for (size_t rank = 0; rank < run.traces.size(); ++rank) {
    if (run.finished[rank]) continue;
    const auto& trace = run.traces[rank];
    const auto& stuck = run.in_flight[rank];
    std::string nodes;
    for (uint64_t id : stuck) {
      auto it = std::find_if(trace.nodes.begin(), trace.nodes.end(),
                             [id](const chakra::Node& node) { return node.id() == id; });
      nodes += fmt::format("{}node {} ({})", nodes.empty() ? "" : ", ", id,
                           chakra::NodeType_Name(it->type()));
    }
    if (first.empty()) {
      first = fmt::format("{}: rank {}: {}", trace.file, rank, nodes);
    } else {
      others += fmt::format("{}rank {} on {}", others.empty() ? "" : "; ", rank, nodes);
    }
  }
  if (first.empty()) return "";
  return fmt::format(
      "{} never completes: the ranks wait on each other through their dependencies (a send or "
      "receive, or collectives of two groups, ordered differently on different ranks){}",
      first, others.empty() ? "" : "; also stuck: " + others);
}

Json replay_in_this_process(const std::vector<ChakraTrace>& traces, const ChakraGroups& groups,
                            const ClusterModel& cluster, const std::string& trace_name,
                            const std::string& trace_out) {
  auto& engine = event::start_engine();
  // A deadlock is reported below with the trace's own names; SimGrid's dump of its actors
  // would only repeat it in the engine's terms.
  xbt_log_control_set("ker_engine.app:file:/dev/null");
  int ranks = static_cast<int>(traces.size());
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  Replay run{traces,
             cluster,
             groups,
             event::build_platform(engine, topology),
             std::vector<RankTime>(ranks),
             std::vector<double>(ranks, 0.0),
             only_one_group_inside_servers(traces, groups, cluster.tiers.devices_per_node),
             std::vector<std::set<uint64_t>>(ranks),
             std::vector<char>(ranks, 0)};
  event::LinkTraffic traffic;
  traffic.attach();
  // Each node draws its own power while it runs; the devices are held at the floor otherwise.
  event::SpanEnergy energy(ranks, held_idle_w(cluster.chip));
  energy.attach();
  // The trace's power track draws what the energy below counts: each node's own power while it
  // runs, the held-idle floor otherwise (collectives included).
  event::TraceRecorder recorder(run.platform, cluster.chip.tdp_w(), held_idle_w(cluster.chip));
  if (!trace_out.empty()) recorder.attach();
  for (int rank = 0; rank < ranks; ++rank) {
    sg4::Actor::create(fmt::format("rank{}", rank), run.platform.devices[rank],
                       [&run, rank] { rank_program(run, rank); });
  }
  // On a deadlock SimGrid would kill the waiting actors by throwing into their stacks; the run
  // stops before that instead (the stuck ranks are named from the replay's own records below).
  struct Deadlocked {};
  sg4::Engine::on_deadlock_cb([] { throw Deadlocked{}; });
  try {
    engine.run();
  } catch (const Deadlocked&) {
  }
  // The waiting actors of a deadlock never resume; the engine, left to the child's exit like
  // every engine, never unwinds their stacks.
  if (auto stuck = deadlock(run); !stuck.empty()) return Json{{"deadlock", stuck}};

  ReplayResult r;
  r.trace = trace_name;
  r.cluster = cluster.name;
  r.chip = cluster.chip.name();
  r.network_model = event::kNetworkModel;
  r.ranks = ranks;
  for (const auto& trace : traces) r.nodes += static_cast<long long>(trace.nodes.size());
  r.step_time_s = *std::max_element(run.finish.begin(), run.finish.end());
  for (int rank = 0; rank < ranks; ++rank) {
    run.times[rank].rank = rank;
    run.times[rank].idle_s = r.step_time_s - run.finish[rank];
  }
  r.rank_times = run.times;
  // Energy: the ranks' devices are held by the job over the whole step and draw above that
  // floor while their nodes run. Their share of the servers, links and the facility come from
  // the cluster.
  r.energy = cluster_energy(cluster, energy.finish(r.step_time_s), r.step_time_s, LinkActivity{}, 0,
                            {ranks, false});
  r.busiest_links = traffic.busiest(5, r.step_time_s);
  if (!trace_out.empty()) recorder.write(trace_out);
  return to_json(r);
}

}  // namespace

ReplayResult replay_chakra(const std::vector<ChakraTrace>& traces, const ClusterModel& cluster,
                           const std::string& trace_name, const std::string& trace_out) {
  if (static_cast<int>(traces.size()) > cluster.devices()) {
    throw InfeasibleError(fmt::format(
        "the trace has {} ranks but cluster {} has {} devices; a cluster of at least {} servers "
        "would hold it",
        traces.size(), cluster.name, cluster.devices(),
        (traces.size() + cluster.tiers.devices_per_node - 1) / cluster.tiers.devices_per_node));
  }
  check_point_to_point(traces);
  ChakraGroups groups = resolve_chakra_groups(traces, cluster.tiers.devices_per_node,
                                              topology::servers_per_leaf(cluster.config));
  Json j = event::run_isolated_json(
      [&] { return replay_in_this_process(traces, groups, cluster, trace_name, trace_out); });
  if (j.contains("deadlock")) throw InputError(j.at("deadlock").get<std::string>());
  return replay_result_from_json(j);
}

}  // namespace kcsim

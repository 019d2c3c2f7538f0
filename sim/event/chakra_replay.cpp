#include "sim/event/chakra_replay.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"
#include "hw-models/op_cost.hpp"
#include "hw-models/power_model.hpp"
#include "sim/energy_ledger.hpp"
#include "sim/event/isolated_run.hpp"
#include "sim/event/link_traffic.hpp"
#include "sim/event/platform.hpp"
#include "sim/event/ring_flows.hpp"
#include "sim/event/span_signal.hpp"
#include "sim/event/trace_recorder.hpp"
#include "topology/cluster_topology.hpp"
#include "workloads/chakra_groups.hpp"

namespace kcsim {
namespace {

namespace sg4 = simgrid::s4u;

Collective collective_of(int64_t type) {
  switch (type) {
    case chakra::ALL_GATHER:
    case chakra::GATHER:
      return Collective::AllGather;
    case chakra::REDUCE_SCATTER:
    case chakra::REDUCE_SCATTER_BLOCK:
    case chakra::SCATTER:
      return Collective::ReduceScatter;
    case chakra::ALL_TO_ALL:
      return Collective::AllToAll;
    case chakra::BROADCAST:
      return Collective::Broadcast;
    default:
      return Collective::AllReduce;  // ALL_REDUCE, REDUCE; BARRIER carries no bytes
  }
}

// Node indices in an order that respects every dependency, file order where free.
std::vector<size_t> topological_order(const ChakraTrace& trace) {
  std::unordered_map<uint64_t, size_t> index;
  for (size_t i = 0; i < trace.nodes.size(); ++i) index[trace.nodes[i].id()] = i;
  std::vector<int> waiting(trace.nodes.size(), 0);
  std::vector<std::vector<size_t>> dependents(trace.nodes.size());
  for (size_t i = 0; i < trace.nodes.size(); ++i) {
    for (const auto* deps : {&trace.nodes[i].data_deps(), &trace.nodes[i].ctrl_deps()}) {
      for (uint64_t dep : *deps) {
        dependents[index.at(dep)].push_back(i);
        ++waiting[i];
      }
    }
  }
  std::vector<size_t> order, ready;
  for (size_t i = trace.nodes.size(); i-- > 0;) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    size_t i = ready.back();
    ready.pop_back();
    order.push_back(i);
    for (size_t j : dependents[i]) {
      if (--waiting[j] == 0) ready.push_back(j);
    }
    std::sort(ready.begin(), ready.end(), std::greater<>());
  }
  return order;
}

struct Replay {
  const std::vector<ChakraTrace>& traces;
  const ClusterModel& cluster;
  const ChakraGroups& groups;
  event::Platform platform;
  std::vector<RankTime> times;
  std::vector<double> finish;
  std::vector<double> busy_j;  // per rank: energy drawn above the held-idle floor
  // Only one group's rings ever use the links inside a server: those ring stages take their
  // closed-form time instead of running as flows (same result, far fewer activities).
  bool intra_node_private = false;
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

NodeWork node_work(const ClusterModel& cluster, const chakra::Node& node) {
  auto ops = chakra_int_attribute(node, "num_ops");
  auto bytes = chakra_int_attribute(node, "tensor_size");
  if (node.type() == chakra::MEM_LOAD_NODE || node.type() == chakra::MEM_STORE_NODE) {
    double moved = bytes ? static_cast<double>(*bytes) : 0.0;
    return {moved / (cluster.chip.memory_bandwidth_bytes_per_s() *
                     cluster.chip.efficiency().memory_max()),
            device_power_w(cluster.chip, 0, 1)};
  }
  if (ops || bytes) {
    Op op{node.name(), OpKind::Gemm, ops ? static_cast<double>(*ops) : 0.0,
          bytes ? static_cast<double>(*bytes) : 0.0};
    auto dtype = cluster.chip.dtypes().front();
    for (auto preferred : {config::BF16, config::FP16}) {
      if (cluster.chip.supports(preferred)) {
        dtype = preferred;
        break;
      }
    }
    OpCost cost = op_cost(cluster.chip, op, dtype);
    return {cost.time_s, device_power_w(cluster.chip, cost.compute_busy, cost.memory_busy)};
  }
  // A measured kernel time says nothing of what it kept busy: it is taken at full draw.
  if (auto ns = chakra_int_attribute(node, kDurationNsAttribute)) {
    return {static_cast<double>(*ns) * 1e-9, cluster.chip.tdp_w()};
  }
  return {static_cast<double>(node.duration_micros()) * 1e-6, cluster.chip.tdp_w()};
}

// Something a later node may wait for: a point-to-point transfer, or a collective that a
// stream runs (done when `finished` is released; waiters put the token back for the next).
struct Pending {
  sg4::CommPtr comm;
  sg4::SemaphorePtr finished;
  bool done = false;  // only the rank's own actor waits, one dependency at a time
  void wait() {
    if (done) return;
    done = true;
    if (comm) {
      comm->wait();
    } else {
      finished->acquire();
      finished->release();
    }
  }
};

// A rank's collectives of one group run in order on one stream, as NCCL runs a communicator's:
// one actor per (rank, group) rather than one per collective, which keeps actor creation, the
// costliest thing SimGrid does, out of the run's growth.
struct CollectiveStream {
  struct Job {
    event::CollectiveCall call;
    int position = 0;
    sg4::SemaphorePtr finished;
  };
  std::deque<Job> jobs;
  sg4::SemaphorePtr posted = sg4::Semaphore::create(0);
};

void stream_program(CollectiveStream& stream, int rank, int total) {
  for (int k = 0; k < total; ++k) {
    stream.posted->acquire();
    auto job = std::move(stream.jobs.front());
    stream.jobs.pop_front();
    double start = sg4::Engine::get_clock();
    event::run_collective(job.call, job.position);
    if (event::has_span_observers()) {
      event::announce_span({rank, "collectives", "collective", start, sg4::Engine::get_clock()});
    }
    job.finished->release();
  }
}

void rank_program(Replay& run, int rank) {
  const auto& trace = run.traces[rank];
  const int ranks = static_cast<int>(run.traces.size());
  auto& time = run.times[rank];
  sg4::Host* host = run.platform.devices[rank];
  const auto& devices = run.platform.devices;

  // One stream per group this rank takes part in, started before the first node.
  std::map<int, int> collectives_in;  // group -> collectives this rank runs in it
  for (const auto& [id, g] : run.groups.of_node[rank]) {
    if (run.groups.groups[g].members.size() > 1) ++collectives_in[g];
  }
  std::map<int, CollectiveStream> streams;
  for (auto [g, total] : collectives_in) {
    auto& stream = streams[g];
    sg4::Actor::create(fmt::format("r{}g{}", rank, g), host,
                       [&stream, rank, total] { stream_program(stream, rank, total); });
  }
  std::unordered_map<int, int> collectives_run;  // per group
  std::unordered_map<uint64_t, Pending> running;
  auto wait = [&](double& total, std::vector<Pending*>& pending) {
    double start = sg4::Engine::get_clock();
    for (auto* p : pending) p->wait();
    total += sg4::Engine::get_clock() - start;
  };
  for (size_t i : topological_order(trace)) {
    const auto& node = trace.nodes[i];
    std::vector<Pending*> pending;
    for (const auto* deps : {&node.data_deps(), &node.ctrl_deps()}) {
      for (uint64_t dep : *deps) {
        if (auto it = running.find(dep); it != running.end()) pending.push_back(&it->second);
      }
    }
    wait(time.exposed_comm_s, pending);
    switch (node.type()) {
      case chakra::COMP_NODE:
      case chakra::MEM_LOAD_NODE:
      case chakra::MEM_STORE_NODE: {
        NodeWork work = node_work(run.cluster, node);
        double start = sg4::Engine::get_clock();
        sg4::this_actor::execute(work.seconds * event::kHostFlopsPerS);
        time.compute_s += work.seconds;
        run.busy_j[rank] += (work.power_w - held_idle_w(run.cluster.chip)) * work.seconds;
        if (event::has_span_observers()) {
          event::announce_span({rank, "compute", "compute", start, sg4::Engine::get_clock()});
        }
        break;
      }
      case chakra::COMM_COLL_NODE: {
        int g = run.groups.of_node[rank].at(node.id());
        const ChakraGroup& group = run.groups.groups[g];
        if (group.members.size() < 2) break;
        int position =
            static_cast<int>(std::lower_bound(group.members.begin(), group.members.end(), rank) -
                             group.members.begin());
        event::CollectiveCall call{
            fmt::format("{}#{}", group.key, collectives_run[g]++),
            static_cast<int>(group.members.size()),
            [&devices, &group](int k) { return devices[group.members[k]]; },
            group.per_node,
            collective_of(chakra_int_attribute(node, "comm_type").value_or(0)),
            static_cast<double>(chakra_int_attribute(node, "comm_size").value_or(0)),
            run.cluster.chip.efficiency().collective_max(),
            1,
            run.intra_node_private,
            Algorithm::Auto,
            &run.cluster.tiers};
        auto finished = sg4::Semaphore::create(0);
        auto& stream = streams.at(g);
        stream.jobs.push_back({std::move(call), position, finished});
        stream.posted->release();
        running[node.id()] = Pending{nullptr, finished};
        break;
      }
      case chakra::COMM_SEND_NODE:
      case chakra::COMM_RECV_NODE: {
        int src = static_cast<int>(chakra_int_attribute(node, "comm_src").value_or(rank));
        int dst = static_cast<int>(chakra_int_attribute(node, "comm_dst").value_or(rank));
        auto tag = fmt::format("p2p/{}/{}/{}", src, dst,
                               chakra_int_attribute(node, "comm_tag").value_or(0));
        if (node.type() == chakra::COMM_SEND_NODE) {
          // Sends reach the links' share collectives do (NCCL's send/recv run the same kernels).
          double bytes = static_cast<double>(chakra_int_attribute(node, "comm_size").value_or(0)) /
                         run.cluster.chip.efficiency().collective_max();
          running[node.id()] = Pending{
              event::send_bytes(tag, bytes, devices[std::clamp(dst, 0, ranks - 1)]), nullptr};
        } else {
          running[node.id()] = Pending{event::receive_bytes_async(tag), nullptr};
        }
        break;
      }
      default:
        break;
    }
  }
  std::vector<Pending*> rest;
  for (auto& [id, p] : running) rest.push_back(&p);
  wait(time.exposed_comm_s, rest);
  run.finish[rank] = sg4::Engine::get_clock();
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

std::string replay_in_this_process(const std::vector<ChakraTrace>& traces,
                                   const ChakraGroups& groups, const ClusterModel& cluster,
                                   const std::string& trace_name, const std::string& trace_out) {
  auto engine = event::start_engine();
  int ranks = static_cast<int>(traces.size());
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  Replay run{traces,
             cluster,
             groups,
             event::build_platform(*engine, topology),
             std::vector<RankTime>(ranks),
             std::vector<double>(ranks, 0.0),
             std::vector<double>(ranks, 0.0),
             only_one_group_inside_servers(traces, groups, cluster.tiers.devices_per_node)};
  event::LinkTraffic traffic;
  traffic.attach();
  event::TraceRecorder recorder(run.platform, cluster.chip.tdp_w(), cluster.chip.idle_w());
  if (!trace_out.empty()) recorder.attach();
  for (int rank = 0; rank < ranks; ++rank) {
    sg4::Actor::create(fmt::format("rank{}", rank), run.platform.devices[rank],
                       [&run, rank] { rank_program(run, rank); });
  }
  engine->run();

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
  // floor while their nodes run; devices no rank uses sit idle. Servers, links and the facility
  // come from the cluster.
  DeviceEnergy devices;
  devices.device_j = (cluster.devices() - ranks) * cluster.chip.idle_w() * r.step_time_s;
  for (int rank = 0; rank < ranks; ++rank) {
    devices.device_j += held_idle_w(cluster.chip) * r.step_time_s + run.busy_j[rank];
  }
  r.energy = cluster_energy(cluster, devices, r.step_time_s, LinkActivity{}, 0);
  r.busiest_links = traffic.busiest(5, r.step_time_s);
  if (!trace_out.empty()) recorder.write(trace_out);
  return dump(to_json(r));
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
  ChakraGroups groups = resolve_chakra_groups(traces, cluster.tiers.devices_per_node);
  std::string out = event::run_isolated(
      [&] { return replay_in_this_process(traces, groups, cluster, trace_name, trace_out); });
  return replay_result_from_json(Json::parse(out));
}

}  // namespace kcsim

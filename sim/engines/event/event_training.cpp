#include "sim/engines/event/event_training.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "hw-models/power_model.hpp"
#include "sim/cost/pipeline_schedule.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/observers/energy_observer.hpp"
#include "sim/engines/event/observers/link_traffic.hpp"
#include "sim/engines/event/observers/power_series_observer.hpp"
#include "sim/engines/event/observers/trace_recorder.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "sim/engines/event/platform/slice_exchange.hpp"
#include "sim/engines/event/platform/span_signal.hpp"
#include "sim/power/power_steps.hpp"
#include "sim/power/training_result.hpp"
#include "topology/cluster_topology.hpp"

namespace kcsim {
namespace {

namespace sg4 = simgrid::s4u;

// Where each device's time went.
struct DeviceTime {
  double compute_s = 0, recompute_s = 0, tp_s = 0, ep_s = 0, pipeline_wait_s = 0;
  double dp_exposed_s = 0, optimizer_s = 0, finish_s = 0;
  // Waits for the pipeline in the steady one-forward-one-backward phase, after its first pair
  // (whose backward waits for the pipeline to fill), and how many micro-batches that spans.
  double steady_wait_s = 0;
  int steady_steps = 0;
  // Compute and collectives: what the device spent working on its micro-batches.
  double busy_s() const { return compute_s + recompute_s + tp_s + ep_s; }
};

// Everything the device actors share.
struct Run {
  const ClusterModel& cluster;
  const TrainingSpec& spec;
  const TrainingCosts& costs;
  event::Platform platform;
  std::vector<double> slowdown;  // per rank
  bool reduced = false;
  std::vector<DeviceTime> times;  // per rank
  // Only tensor-parallel rings use the links inside a server (no pipeline, data- or
  // expert-parallel traffic stays inside): those rings can take their closed-form time.
  bool tp_links_private = false;
  event::SliceExchange exchange;  // pipeline slices between grouped stages

  int tp() const { return spec.setup.tp; }
  int pp() const { return spec.setup.pp; }
  int rank(int replica, int stage, int tp_rank) const {
    return (replica * pp() + stage) * tp() + tp_rank;
  }
};

// The devices one actor runs: a single device, or a tensor-parallel group that moves as one.
// Megatron's tensor-parallel ranks meet at every layer's all-reduce, so a group whose rings
// run on the server's private links (their closed-form time) and whose ranks are alike does
// the same thing at the same times on each rank; one actor runs it, and every rank's pipeline
// sends and gradient rings still run as flows of their own.
struct Ranks {
  int first = 0;
  int count = 1;
  int operator[](int k) const { return first + k; }
};

// Runs `body`, announces it as a span of each of `ranks` on `track`, and returns how long it
// took.
template <class F>
double announced(Ranks ranks, const char* track, const char* name, F&& body) {
  double start = sg4::Engine::get_clock();
  body();
  double end = sg4::Engine::get_clock();
  if (!event::span_signal().empty()) {
    for (int k = 0; k < ranks.count; ++k) {
      event::span_signal().emit({ranks[k], track, name, start, end});
    }
  }
  return end - start;
}

// The same, the time added to `total`.
template <class F>
void timed(double& total, Ranks ranks, const char* track, const char* name, F&& body) {
  total += announced(ranks, track, name, std::forward<F>(body));
}

int position_in(const CollectiveCost& cost, int rank) {
  return rank % (cost.stride * cost.group.size) / cost.stride;
}

// `rank`'s part of a collective, started now; returns the time of the private-link stages
// after its last flow, for the caller to sleep.
double collective_rest_s(const Run& run, const CollectiveCost& cost, int rank,
                         const std::string& tag, double share) {
  if (cost.count == 0 || cost.group.size <= 1) return 0;
  // The group's members sit `stride` ranks apart, aligned on the group's span.
  int span = cost.stride * cost.group.size;
  int base = rank / span * span + rank % cost.stride;
  const auto& devices = run.platform.devices;
  event::CollectiveCall call{tag,
                             cost.group.size,
                             [&devices, base, stride = cost.stride](int position) {
                               return devices[base + position * stride];
                             },
                             cost.group.per_node,
                             cost.kind,
                             cost.bytes * share,
                             run.costs.efficiency,
                             cost.count,
                             run.tp_links_private && cost.stride == 1,
                             run.costs.algorithm,
                             &run.cluster.tiers,
                             run.costs.protocol};
  return event::run_collective_folded(call, position_in(cost, rank), 0);
}

void collective(const Run& run, const CollectiveCost& cost, int rank, const std::string& tag,
                double share = 1.0) {
  double rest_s = collective_rest_s(run, cost, rank, tag, share);
  if (rest_s > 0) sg4::this_actor::sleep_for(rest_s);
}

// Each of `ranks`' part of a collective (of closed-form time when the ranks are more than one),
// then the time of the slowest.
template <class Tag>
void group_collective(const Run& run, const CollectiveCost& cost, Ranks ranks, Tag&& tag_of) {
  double rest_s = 0;
  for (int k = 0; k < ranks.count; ++k) {
    rest_s = std::max(rest_s, collective_rest_s(run, cost, ranks[k], tag_of(ranks[k]), 1.0));
  }
  if (rest_s > 0) sg4::this_actor::sleep_for(rest_s);
}

std::string tag(const char* what, int replica, int stage, int tp_rank, int micro_batch) {
  return fmt::format("{}/{}/{}/{}/{}", what, replica, stage, tp_rank, micro_batch);
}

// A grouped stage's transfer of activations ("act") or gradients into virtual stage `stage` for
// `micro_batch`: 1 bit, 15 for the replica, 16 for the stage and 32 for the micro-batch.
uint64_t slices_key(const char* what, int replica, int stage, int micro_batch) {
  return (static_cast<uint64_t>(what[0] == 'a') << 63) |
         (static_cast<uint64_t>(replica & 0x7fff) << 48) |
         (static_cast<uint64_t>(stage & 0xffff) << 32) | static_cast<uint32_t>(micro_batch);
}

// The gradient reduction's share that hides behind the last backward: all buckets but one.
double hidden_share(const TrainingCosts& c) { return 1.0 - 1.0 / c.grad_buckets; }

// `count` collectives of `cost` split evenly over `chunks` model chunks.
CollectiveCost per_chunk(CollectiveCost cost, int chunks) {
  cost.count /= chunks;
  return cost;
}

// After the last backward: the device's gradient and weight collectives (what the reduction
// beside the backward left), the optimizer step, and its finish.
void device_tail(Run& run, int rank, const sg4::ActorPtr& gradients) {
  const auto& c = run.costs;
  DeviceTime& time = run.times[rank];
  Ranks self{rank, 1};
  timed(time.dp_exposed_s, self, "collectives", "dp gradients", [&] {
    if (run.spec.setup.dp <= 1) return;
    if (run.reduced) {
      // One replica stands for all: the reduction priced as the analytical engine does.
      sg4::this_actor::sleep_for(dp_exposed_s(c, dp_reduction_s(c, run.cluster.tiers)));
      return;
    }
    gradients->join();
    std::string group = std::to_string(rank % (run.tp() * run.pp()));
    collective(run, c.dp_grads, rank, "dpl/" + group, 1.0 / c.grad_buckets);
    collective(run, c.dp_weights, rank, "dpw/" + group);
  });
  if (c.zero3_gather_excess_s > 0) {
    timed(time.dp_exposed_s, self, "collectives", "zero-3 gathers",
          [&] { sg4::this_actor::sleep_for(c.zero3_gather_excess_s); });
  }
  timed(time.optimizer_s, self, "compute", "optimizer", [&] {
    sg4::this_actor::execute(c.optimizer_s * run.slowdown[rank] * event::kHostFlopsPerS);
  });
  time.finish_s = sg4::Engine::get_clock();
}

// The schedule of `ranks`, one pipeline stage's device or its whole tensor-parallel group.
void stage_program(Run& run, Ranks ranks) {
  const auto& c = run.costs;
  const int rank = ranks.first;
  const int tp = run.tp(), stages = run.pp();
  const int chunks = run.spec.setup.virtual_stages;
  const int virtual_stages = stages * chunks;
  const int tp_rank = rank % tp, stage = rank / tp % stages, replica = rank / (tp * stages);
  const int micro_batches = static_cast<int>(run.spec.setup.micro_batches);
  const double slow = run.slowdown[rank];  // a group's ranks are alike
  const double pp_bytes = c.pp_bytes / c.efficiency;
  const double recompute_s = c.layers_per_stage / chunks * c.layer_recompute.time_s;
  const CollectiveCost tp_fwd = per_chunk(c.tp_fwd, chunks), tp_bwd = per_chunk(c.tp_bwd, chunks);
  const CollectiveCost ep_fwd = per_chunk(c.ep_fwd, chunks), ep_bwd = per_chunk(c.ep_bwd, chunks);
  const double tp_bwd_excess_s = c.tp_bwd_excess_s / chunks;
  // A scattered send's slices all-gathered over the server's links (none when they stay split).
  auto gather_slices = [&] {
    if (c.pp_gather_s > 0) sg4::this_actor::sleep_for(c.pp_gather_s);
  };
  DeviceTime& time = run.times[rank];
  std::vector<sg4::ActorPtr> gradients(static_cast<size_t>(ranks.count));
  bool data_parallel = run.spec.setup.dp > 1;
  // The device holding virtual stage v (model chunk v / stages on stage v % stages) for the
  // tensor-parallel rank of this actor's k-th device.
  auto holder = [&](int v, int k) {
    return run.platform.devices[run.rank(replica, v % stages, tp_rank + k)];
  };
  // Each device's slice of the activations or gradients from the neighbouring stage: a group's
  // slices go between its devices and the next group's, each a flow of its own.
  sg4::SemaphorePtr wakeup = ranks.count > 1 ? sg4::Semaphore::create(0) : nullptr;
  auto receive = [&](const char* what, int v, int i) {
    if (ranks.count == 1) {
      event::receive_bytes(tag(what, replica, v, tp_rank, i));
    } else {
      run.exchange.receive(slices_key(what, replica, v, i), wakeup);
    }
  };
  // A tensor-parallel ring's name, for its mailboxes; a group's rings take their closed-form time
  // and need none.
  auto tp_tag = [&](const char* kind, int v, int i) {
    return ranks.count > 1 ? std::string()
                           : kind + fmt::format("{}/{}/{}/{}", replica, v, i, 0);
  };
  auto send = [&](const char* what, int to_v, int i) {
    if (ranks.count == 1) {
      event::post_bytes(tag(what, replica, to_v, tp_rank, i), pp_bytes, holder(to_v, 0));
      return;
    }
    event::SliceExchange::Routes routes;
    for (int k = 0; k < ranks.count; ++k) {
      routes.emplace_back(run.platform.devices[ranks[k]], holder(to_v, k));
    }
    run.exchange.post(slices_key(what, replica, to_v, i), std::move(routes), pp_bytes);
  };

  auto steps = pipeline_schedule(stage, stages, chunks, micro_batches);
  // The steady phase: steps [warm-up forwards, the first pair) before it, the cool-down
  // backwards after it; its waits give the pipeline's pace (rendering the bubble the rest).
  size_t lead = 0, trail = 0;
  while (lead < steps.size() && steps[lead].forward) ++lead;
  while (trail < steps.size() - lead && !steps[steps.size() - 1 - trail].forward) ++trail;
  const size_t steady_begin = lead + 1, steady_end = steps.size() + 1 - trail;
  if (steady_end > steady_begin)
    time.steady_steps = static_cast<int>(steady_end - steady_begin) / 2;
  size_t current = 0;
  auto waited = [&](double wait_s) {
    time.pipeline_wait_s += wait_s;
    if (current >= steady_begin && current < steady_end) time.steady_wait_s += wait_s;
  };

  auto forward = [&](int i, int chunk) {
    int v = chunk * stages + stage;
    if (v > 0) {
      waited(announced(ranks, "pipeline", "wait for activations", [&] {
        receive("act", v, i);
        gather_slices();
      }));
    }
    double compute = c.chunk_fwd_s(stage, stages, chunk, chunks) * slow;
    timed(time.compute_s, ranks, "compute", "forward",
          [&] { sg4::this_actor::execute(compute * event::kHostFlopsPerS); });
    timed(time.tp_s, ranks, "collectives", "tp forward", [&] {
      group_collective(run, tp_fwd, ranks, [&](int) { return tp_tag("tpf/", v, i); });
    });
    timed(time.ep_s, ranks, "collectives", "ep forward", [&] {
      group_collective(run, ep_fwd, ranks, [&](int r) { return tag("epf", 0, v, r % tp, i); });
    });
    if (v < virtual_stages - 1) send("act", v + 1, i);
  };
  auto backward = [&](int i, int chunk, bool last) {
    int v = chunk * stages + stage;
    if (v < virtual_stages - 1) {
      waited(announced(ranks, "pipeline", "wait for gradients", [&] {
        receive("grad", v, i);
        gather_slices();
      }));
    }
    if (last && data_parallel && !run.reduced) {
      // Buckets reduce while the last backward runs (all of them but the last).
      for (int k = 0; k < ranks.count; ++k) {
        int r = ranks[k];
        gradients[static_cast<size_t>(k)] =
            sg4::Actor::create(fmt::format("grads{}", r), run.platform.devices[r], [&run, r] {
              collective(run, run.costs.dp_grads, r,
                         fmt::format("dpg/{}", r % (run.tp() * run.pp())), hidden_share(run.costs));
            });
      }
    }
    double compute = c.chunk_bwd_s(stage, stages, chunk, chunks) * slow;
    announced(ranks, "compute", "backward",
              [&] { sg4::this_actor::execute(compute * event::kHostFlopsPerS); });
    time.compute_s += compute - recompute_s * slow;
    time.recompute_s += recompute_s * slow;
    timed(time.tp_s, ranks, "collectives", "tp backward", [&] {
      group_collective(run, tp_bwd, ranks, [&](int) { return tp_tag("tpb/", v, i); });
      // The overlapped collectives run on the server's links beside the GEMMs; only what
      // outlasts them holds the device.
      if (tp_bwd_excess_s > 0) sg4::this_actor::sleep_for(tp_bwd_excess_s);
    });
    timed(time.ep_s, ranks, "collectives", "ep backward", [&] {
      group_collective(run, ep_bwd, ranks, [&](int r) { return tag("epb", 0, v, r % tp, i); });
    });
    if (v > 0) send("grad", v - 1, i);
  };

  for (size_t k = 0; k < steps.size(); ++k) {
    current = k;
    const auto& s = steps[k];
    if (s.forward) {
      forward(s.micro_batch, s.chunk);
    } else {
      backward(s.micro_batch, s.chunk, k + 1 == steps.size());
    }
  }
  // Sends are detached: each ends when its receiver has it, and the receiver's own time shows it.

  // Each device of a group goes on alone from here: its gradient rings are its own.
  for (int k = 1; k < ranks.count; ++k) {
    int r = ranks[k];
    run.times[r] = time;
    sg4::Actor::create(
        fmt::format("tail{}", r), run.platform.devices[r],
        [&run, r, g = gradients[static_cast<size_t>(k)]] { device_tail(run, r, g); });
  }
  device_tail(run, rank, gradients[0]);
}

// The breakdown of the device that finished last, whose time is the iteration's, in the terms the
// analytical engine uses (analysis/results.hpp): its waits for the pipeline split into the wait
// for the busiest stage, the sends the steady pace exposes, and the rest, the fill and drain;
// its gradient reduction into the exposure it would have on links of its own and what it lost
// to sharing them.
TrainingTime breakdown(const Run& run, int simulated) {
  auto first = run.times.begin(), end = first + simulated;
  const DeviceTime& last = *std::max_element(
      first, end, [](const DeviceTime& a, const DeviceTime& b) { return a.finish_s < b.finish_s; });
  const DeviceTime& busiest = *std::max_element(
      first, end, [](const DeviceTime& a, const DeviceTime& b) { return a.busy_s() < b.busy_s(); });
  const auto& c = run.costs;
  TrainingTime t;
  t.compute_s = last.compute_s;
  t.recompute_s = last.recompute_s;
  t.tp_comm_s = last.tp_s;
  t.tp_comm_overlapped_s =
      static_cast<double>(run.spec.setup.micro_batches) * tp_overlapped_s(c, run.cluster.tiers);
  t.ep_comm_s = last.ep_s;
  t.optimizer_s = last.optimizer_s;
  double waits = last.pipeline_wait_s;
  t.stage_imbalance_s = std::min(waits, busiest.busy_s() - last.busy_s());
  // The steady phase's waits per micro-batch, over every micro-batch: the wait for the busiest
  // stage and the sends the pace exposes. Without a steady phase (as many stages as
  // micro-batches), every wait is fill and drain.
  double paced = 0;
  if (last.steady_steps > 0) {
    // A steady step is one model chunk's forward and backward: micro-batches x chunks of them.
    double steps =
        static_cast<double>(run.spec.setup.micro_batches * run.spec.setup.virtual_stages);
    paced = last.steady_wait_s / last.steady_steps * steps;
  }
  t.pp_comm_s = std::clamp(paced - t.stage_imbalance_s, 0.0, waits - t.stage_imbalance_s);
  t.bubble_s = waits - t.stage_imbalance_s - t.pp_comm_s;
  t.dp_comm_total_s = dp_reduction_s(c, run.cluster.tiers);
  double alone = run.spec.setup.dp > 1 ? dp_exposed_s(c, t.dp_comm_total_s) : 0.0;
  alone += c.zero3_gather_excess_s;
  t.dp_comm_exposed_s = std::min(last.dp_exposed_s, alone);
  t.dp_comm_contention_s = last.dp_exposed_s - t.dp_comm_exposed_s;
  return t;
}

std::vector<double> slowdowns(const TrainingSpec& spec, const EventOptions& options) {
  std::vector<double> slowdown(spec.devices(), 1.0);
  for (const auto& [rank, factor] : options.stragglers) {
    if (rank < 0 || rank >= spec.devices()) {
      throw InputError(fmt::format("--straggler: rank {} is outside the plan's {} devices", rank,
                                   spec.devices()));
    }
    if (!(factor > 0)) {
      throw InputError(fmt::format("--straggler: factor for rank {} must be positive", rank));
    }
    slowdown[rank] = factor;
  }
  return slowdown;
}

Json simulate_in_this_process(const ClusterModel& cluster, const TrainingSpec& spec,
                              const EventOptions& options, const TrainingCosts& costs) {
  auto engine_owner = event::start_engine();
  auto& engine = *engine_owner;

  bool reduced = options.reduce_symmetry && options.stragglers.empty() && spec.setup.dp > 1;
  int simulated = reduced ? spec.setup.tp * spec.setup.pp : spec.devices();
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  Run run{cluster, spec,  costs, event::build_platform(engine, topology), {}, reduced,
          {},      false, {}};
  run.slowdown = slowdowns(spec, options);
  run.times.resize(spec.devices());
  auto shares_server = [](const CollectiveCost& cost) {
    return cost.count > 0 && cost.group.size > 1 && cost.group.per_node > 1;
  };
  run.tp_links_private = !(spec.setup.pp > 1 && costs.pp_inside_node) &&
                         !shares_server(costs.dp_grads) && !shares_server(costs.ep_fwd);
  event::LinkTraffic traffic;
  traffic.attach();
  const DevicePower busy = training_busy_power(
      cluster.chip, costs, static_cast<double>(spec.setup.micro_batches), spec.setup.pp);
  const DevicePower wait = waiting_power(cluster.chip, costs.wait_state);
  const DevicePower in_collective = collective_power(cluster.chip, costs.collective_state);
  event::EnergyObserver energy(cluster.chip, simulated, busy, in_collective, wait);
  energy.attach();
  event::PowerSeriesObserver power(wait.total_w(), busy.total_w(), in_collective.total_w());
  power.attach();
  event::TraceRecorder trace(run.platform, busy.total_w(), wait.total_w(), in_collective.total_w());
  if (!options.trace_out.empty()) trace.attach();

  // A tensor-parallel group runs as one actor when its ranks are alike (no straggler) and its
  // collectives never leave the server's private links (their closed-form time).
  auto private_in_server = [&](const CollectiveCost& cost) {
    return cost.count == 0 || cost.group.size <= 1 ||
           (cost.stride == 1 && cost.group.per_node >= cost.group.size);
  };
  bool group = spec.setup.tp > 1 && !options.actor_per_device && options.stragglers.empty() &&
               run.tp_links_private && private_in_server(costs.tp_fwd) &&
               private_in_server(costs.tp_bwd) && costs.ep_fwd.count == 0 &&
               costs.ep_bwd.count == 0 &&
               // within what slices_key names
               spec.setup.dp < (1 << 15) && spec.setup.pp * spec.setup.virtual_stages < (1 << 16);
  int width = group ? spec.setup.tp : 1;
  for (int rank = 0; rank < simulated; rank += width) {
    Ranks ranks{rank, width};
    sg4::Actor::create(fmt::format("device{}", rank), run.platform.devices[rank],
                       [&run, ranks] { stage_program(run, ranks); });
  }
  engine.run();

  TrainingResult r = start_training_result(cluster, spec, costs, "event");
  r.iteration_time_s = sg4::Engine::get_clock();
  r.time = breakdown(run, simulated);
  r.network_model = event::kNetworkModel;
  r.busiest_links = traffic.busiest(5, r.iteration_time_s);
  finish_training_result(r, cluster, costs);
  // Device energy from the spans: the simulated devices stand for all of the plan's (one
  // data-parallel replica when reduced).
  DeviceEnergy devices = energy.ledger().finish(r.iteration_time_s, simulated);
  double scale = static_cast<double>(spec.devices()) / simulated;
  devices.device_j *= scale;
  devices.memory_j *= scale;
  set_training_energy(r, cluster, costs, devices);
  if (!options.trace_out.empty()) trace.write(options.trace_out);
  Json out = to_json(r);
  out["series"] = to_json(power.series(r.iteration_time_s, simulated, scale, 0, kMaxSeriesSamples));
  return out;
}

}  // namespace

TrainingResult simulate_training_event(const ClusterModel& cluster, const TrainingSpec& spec,
                                       const EventOptions& options) {
  slowdowns(spec, options);  // bad stragglers are input errors, reported from this process
  // Checked here: the trace is written in the engine's own process, whose errors are internal.
  if (!options.trace_out.empty()) check_outputs({{options.trace_out, "--trace-out"}});
  TrainingCosts costs = training_costs(cluster, spec);
  return training_result_from_json(event::run_isolated_json(
      [&] { return simulate_in_this_process(cluster, spec, options, costs); }));
}

}  // namespace kcsim

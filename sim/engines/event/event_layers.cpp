#include "sim/engines/event/event_layers.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "analysis/json_writer.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/observers/link_traffic.hpp"
#include "sim/engines/event/platform/lone_rings.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "topology/cluster_topology.hpp"

namespace kcsim {
namespace {

namespace sg4 = simgrid::s4u;

// One all-reduce of a layer's gradients over every device, and when the gradients are ready.
struct Reduction {
  double ready_s;
  event::CollectiveCall call;
};

struct Run {
  const LayerWorkloadSpec& spec;
  const ClusterModel& cluster;
  event::Platform platform;
  // Every device's compute never waits for communication (the gradients of one layer do not
  // hold back the backward of the next), so when each gradient is ready is known in advance:
  // the all-reduces in the order they run, from the last layer back, and the end of the compute.
  std::vector<Reduction> reductions{};
  double compute_end_s = 0;
};

// The all-reduce of `bytes` of gradients over every device.
event::CollectiveCall all_reduce(const Run& run, double bytes) {
  const auto& devices = run.platform.devices;
  // One tag for every layer: a member's all-reduces run one after another, so each of its
  // mailboxes holds at most one transfer at a time and the names can be reused.
  return {"dp",
          run.spec.devices,
          [&devices](int position) { return devices[position]; },
          run.spec.per_node,
          Collective::AllReduce,
          bytes,
          1.0,
          1,
          /*intra_node_private=*/true,
          run.spec.algorithm,
          &run.cluster.tiers};
}

void schedule_reductions(Run& run) {
  double ready_s = 0;
  for (const auto& layer : run.spec.layers) ready_s += layer.forward_s;
  for (auto it = run.spec.layers.rbegin(); it != run.spec.layers.rend(); ++it) {
    ready_s += it->backward_s;
    if (it->gradient_bytes > 0)
      run.reductions.push_back({ready_s, all_reduce(run, it->gradient_bytes)});
  }
  run.compute_end_s = ready_s;
}

// One device: the all-reduces in order, each from when its gradient is ready; the passes
// themselves need no activity of their own. The time of the stages on private links that end
// one all-reduce is folded into the wait before the next.
void device_program(const Run& run, int rank) {
  double carried_s = 0;  // private time of the last all-reduce not yet slept
  for (const auto& reduction : run.reductions) {
    double start_s = std::max(reduction.ready_s, sg4::Engine::get_clock() + carried_s);
    carried_s =
        event::run_collective_folded(reduction.call, rank, start_s - sg4::Engine::get_clock());
  }
  double end_s = std::max(run.compute_end_s, sg4::Engine::get_clock() + carried_s);
  if (end_s > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(end_s);
}

// The step with an actor per device and the rings as flows; returns its time.
double step_as_flows(sg4::Engine& engine, const Run& run) {
  for (int rank = 0; rank < run.spec.devices; ++rank) {
    sg4::Actor::create(fmt::format("device{}", rank), run.platform.devices[rank],
                       [&run, rank] { device_program(run, rank); });
  }
  engine.run();
  return sg4::Engine::get_clock();
}

// The same step where the rings' flows never meet (lone_rings.hpp): every device's program at
// once, all-reduce by all-reduce, with the times its actor would see. Returns the step's time.
double step_with_lone_rings(const Run& run) {
  int devices = run.spec.devices;
  std::vector<double> clock(devices, 0.0), carried(devices, 0.0);
  for (const auto& reduction : run.reductions) {
    for (int rank = 0; rank < devices; ++rank) {
      double start_s = std::max(reduction.ready_s, clock[rank] + carried[rank]);
      carried[rank] = std::max(0.0, start_s - clock[rank]);  // the delay, then what follows
    }
    event::run_lone_rings(reduction.call, clock, carried);
  }
  double step_s = run.compute_end_s;
  for (int rank = 0; rank < devices; ++rank) step_s = std::max(step_s, clock[rank] + carried[rank]);
  return step_s;
}

bool rings_never_meet(const Run& run) {
  std::vector<event::CollectiveCall> calls;
  for (const auto& reduction : run.reductions) calls.push_back(reduction.call);
  return event::rings_never_meet(calls);
}

Json simulate_in_this_process(const LayerWorkloadSpec& spec, const ClusterModel& cluster,
                              const EventOptions& options) {
  auto& engine = event::start_engine();
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  Run run{spec, cluster, event::build_platform(engine, topology)};
  schedule_reductions(run);
  event::LinkTraffic traffic;
  traffic.attach();

  LayerStepResult r = layer_step_totals(spec, cluster);
  r.engine = "event";
  r.network_model = event::kNetworkModel;
  r.step_time_s = !options.actor_per_device && rings_never_meet(run) ? step_with_lone_rings(run)
                                                                     : step_as_flows(engine, run);
  r.exposed_comm_s = r.step_time_s - r.compute_s;
  r.busiest_links = traffic.busiest(5, r.step_time_s);
  return to_json(r);
}

}  // namespace

LayerStepResult simulate_layers_event(const LayerWorkloadSpec& spec, const ClusterModel& cluster,
                                      const EventOptions& options) {
  return layer_step_result_from_json(
      event::run_isolated_json([&] { return simulate_in_this_process(spec, cluster, options); }));
}

}  // namespace kcsim

#include "sim/engines/event/event_layers.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "analysis/json_writer.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/observers/link_traffic.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "topology/cluster_topology.hpp"

namespace kcsim {
namespace {

namespace sg4 = simgrid::s4u;

struct Run {
  const LayerWorkloadSpec& spec;
  const ClusterModel& cluster;
  event::Platform platform;
};

// One device. Its compute never waits for communication (the gradients of one layer do not hold
// back the backward of the next), so when each gradient is ready is known in advance: one actor
// per device runs the all-reduces in order, each from when its gradient is ready, and the
// passes themselves need no activity of their own. The time of the stages on private links
// that end one all-reduce is folded into the wait before the next.
void device_program(const Run& run, int rank) {
  const auto& devices = run.platform.devices;
  double ready_s = 0;  // when the current layer's gradient is ready
  for (const auto& layer : run.spec.layers) ready_s += layer.forward_s;
  double carried_s = 0;  // private time of the last all-reduce not yet slept
  for (auto it = run.spec.layers.rbegin(); it != run.spec.layers.rend(); ++it) {
    ready_s += it->backward_s;
    if (it->gradient_bytes <= 0) continue;
    double start_s = std::max(ready_s, sg4::Engine::get_clock() + carried_s);
    // One tag for every layer: a member's all-reduces run one after another, so each of its
    // mailboxes holds at most one transfer at a time and the names can be reused.
    event::CollectiveCall call{"dp",
                               run.spec.devices,
                               [&devices](int position) { return devices[position]; },
                               run.spec.per_node,
                               Collective::AllReduce,
                               it->gradient_bytes,
                               1.0,
                               1,
                               /*intra_node_private=*/true,
                               run.spec.algorithm,
                               &run.cluster.tiers};
    carried_s = event::run_collective_folded(call, rank, start_s - sg4::Engine::get_clock());
  }
  double end_s = std::max(ready_s, sg4::Engine::get_clock() + carried_s);
  if (end_s > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(end_s);
}

Json simulate_in_this_process(const LayerWorkloadSpec& spec, const ClusterModel& cluster) {
  auto engine = event::start_engine();
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  Run run{spec, cluster, event::build_platform(*engine, topology)};
  event::LinkTraffic traffic;
  traffic.attach();
  for (int rank = 0; rank < spec.devices; ++rank) {
    sg4::Actor::create(fmt::format("device{}", rank), run.platform.devices[rank],
                       [&run, rank] { device_program(run, rank); });
  }
  engine->run();

  LayerStepResult r = layer_step_totals(spec, cluster);
  r.engine = "event";
  r.network_model = event::kNetworkModel;
  r.step_time_s = sg4::Engine::get_clock();
  r.exposed_comm_s = r.step_time_s - r.compute_s;
  r.busiest_links = traffic.busiest(5, r.step_time_s);
  return to_json(r);
}

}  // namespace

LayerStepResult simulate_layers_event(const LayerWorkloadSpec& spec, const ClusterModel& cluster) {
  return layer_step_result_from_json(
      event::run_isolated_json([&] { return simulate_in_this_process(spec, cluster); }));
}

}  // namespace kcsim

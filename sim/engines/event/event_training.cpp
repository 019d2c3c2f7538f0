#include "sim/engines/event/event_training.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "hw-models/power_model.hpp"
#include "sim/cost/training_costs.hpp"
#include "sim/engines/event/isolated_run.hpp"
#include "sim/engines/event/observers/energy_observer.hpp"
#include "sim/engines/event/observers/link_traffic.hpp"
#include "sim/engines/event/observers/power_series_observer.hpp"
#include "sim/engines/event/observers/trace_recorder.hpp"
#include "sim/engines/event/platform/platform.hpp"
#include "sim/engines/event/platform/span_signal.hpp"
#include "sim/engines/event/training_stage.hpp"
#include "sim/power/power_steps.hpp"
#include "sim/power/training_result.hpp"
#include "topology/cluster_topology.hpp"

namespace kcsim {
namespace {

namespace sg4 = simgrid::s4u;

using event_training::DeviceTime;
using event_training::Ranks;
using event_training::Run;

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
  auto& engine = event::start_engine();

  bool reduced = options.reduce_symmetry && options.stragglers.empty() && spec.setup.dp > 1;
  int simulated = reduced ? spec.setup.tp * spec.setup.pp : spec.devices();
  auto topology = topology::build_cluster_topology(cluster.config, cluster.chip.config());
  Run run{cluster, spec, costs, event::build_platform(engine, topology)};
  run.reduced = reduced;
  run.slowdown = slowdowns(spec, options);
  run.times.resize(spec.devices());
  auto shares_server = [](const CollectiveCost& cost) {
    return cost.count > 0 && cost.group.size > 1 && cost.group.per_node > 1;
  };
  run.tp_links_private = !(spec.setup.pp > 1 && costs.pp_inside_node) &&
                         !shares_server(costs.dp_grads) && !shares_server(costs.ep_fwd);
  auto private_in_server = [&](const CollectiveCost& cost) {
    return cost.count == 0 || cost.group.size <= 1 ||
           (cost.stride == 1 && cost.group.per_node >= cost.group.size);
  };
  run.tp_rings_closed_form = run.tp_links_private && private_in_server(costs.tp_fwd) &&
                             private_in_server(costs.tp_bwd);
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
  // collectives take their closed-form time.
  bool group = spec.setup.tp > 1 && !options.actor_per_device && options.stragglers.empty() &&
               run.tp_rings_closed_form && costs.ep_fwd.count == 0 && costs.ep_bwd.count == 0;
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

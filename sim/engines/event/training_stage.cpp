#include "sim/engines/event/training_stage.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include "sim/cost/pipeline_schedule.hpp"
#include "sim/engines/event/platform/ring_flows.hpp"
#include "sim/engines/event/platform/span_signal.hpp"
#include "sim/power/power_steps.hpp"

namespace kcsim::event_training {
namespace {

namespace sg4 = simgrid::s4u;

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

// The transfer of activations ("act") or gradients into virtual stage `stage` for `micro_batch`
// from the actor whose first device has tensor-parallel rank `tp_rank` (0 for a group).
event::SliceExchange::Key slices_key(const char* what, int replica, int stage, int micro_batch,
                                     int tp_rank) {
  auto u32 = [](int v) { return static_cast<uint64_t>(static_cast<uint32_t>(v)); };
  return {(static_cast<uint64_t>(what[0] == 'a') << 63) | (u32(replica) << 32) | u32(stage),
          (u32(tp_rank) << 32) | u32(micro_batch)};
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

}  // namespace

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
  // Each device's slice of the activations or gradients from the neighbouring stage, a flow of
  // its own between the two devices, started when both stages are there.
  sg4::SemaphorePtr wakeup = sg4::Semaphore::create(0);
  auto receive = [&](const char* what, int v, int i) {
    run.exchange.receive(slices_key(what, replica, v, i, tp_rank), wakeup);
  };
  auto send = [&](const char* what, int to_v, int i) {
    event::SliceExchange::Routes routes;
    for (int k = 0; k < ranks.count; ++k) {
      routes.emplace_back(run.platform.devices[ranks[k]], holder(to_v, k));
    }
    run.exchange.post(slices_key(what, replica, to_v, i, tp_rank), std::move(routes), pp_bytes);
  };
  // A tensor-parallel ring's name, for its mailboxes; rings of closed-form time need none.
  auto tp_tag = [&](const char* kind, int v, int i) {
    return run.tp_rings_closed_form ? std::string()
                                    : kind + fmt::format("{}/{}/{}/{}", replica, v, i, 0);
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
    timed(time.tp_s, ranks, "collectives", "tp forward",
          [&] { group_collective(run, tp_fwd, ranks, [&](int) { return tp_tag("tpf/", v, i); }); });
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

}  // namespace kcsim::event_training

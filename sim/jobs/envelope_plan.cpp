#include "sim/jobs/envelope_plan.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "sim/cluster/facility_model.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/power/energy_ledger.hpp"

namespace kcsim {
namespace {

// Network power per server, from the topology of a few servers (leaf and spine share included).
double network_w_per_server(const config::Cluster& server, const config::Catalog& catalog) {
  config::Cluster sample = server;
  constexpr int kSample = 16;
  sample.set_nodes(kSample);
  LinkPowerTotals links = cluster_link_power(resolve_cluster(sample, catalog));
  return links.network_active_w / kSample;
}

}  // namespace

FacilityPower server_facility_peak(const config::Cluster& server, const config::Catalog& catalog) {
  config::Cluster one = server;
  one.set_nodes(1);
  return FacilityModel(one.facility())
      .power(resolve_cluster(one, catalog).server_peak_w(), network_w_per_server(one, catalog));
}

namespace {

const char* cooling_name(const FacilityModel& f) {
  switch (f.config().cooling().kind()) {
    case config::AIR:
      return "air";
    case config::LIQUID:
      return "liquid";
    default:
      return "pue";
  }
}

// The largest device count up to `devices` that splits into tp x pp groups whose dp divides the
// batch's micro-batches; 0 when none does.
int training_devices(const config::TrainingJob& job, int devices) {
  int group = std::max(1, job.plan().tp()) * std::max(1, job.plan().pp());
  long long micro_batches = job.global_batch() / std::max<long long>(1, job.micro_batch());
  for (int d = devices / group * group; d >= group; d -= group) {
    if (micro_batches % (d / group) == 0) return d;
  }
  return 0;
}

}  // namespace

EnvelopeResult plan_envelope(const EnvelopeRequest& request, const config::Catalog& catalog) {
  if (!(request.power_mw > 0)) throw InputError("--power-mw: must be positive");
  if (request.max_racks < 0) throw InputError("--racks: must not be negative");
  if (request.serving.has_value() == request.training.has_value()) {
    throw InputError("plan: give a serving or a training workload");
  }
  config::Cluster server = request.cluster;
  server.set_nodes(1);
  ClusterModel one = resolve_cluster(server, catalog);
  FacilityModel facility(server.facility());

  EnvelopeResult r;
  r.chip = one.chip.name();
  r.cluster = one.name;
  r.power_budget_mw = request.power_mw;
  r.max_racks = request.max_racks;
  r.cooling = cooling_name(facility);
  r.server_peak_it_kw = one.server_peak_w() / 1e3;
  FacilityPower per_server = server_facility_peak(server, catalog);
  r.server_facility_kw = per_server.total_w() / 1e3;
  r.pue = per_server.pue();
  r.rack_power_kw = facility.rack_power_w() / 1e3;
  r.servers_per_rack =
      static_cast<int>(std::floor(facility.rack_power_w() / one.server_peak_w()));
  if (r.servers_per_rack < 1) {
    throw InfeasibleError(fmt::format(
        "one {} server draws {:.1f} kW at TDP, more than a {:.0f} kW rack; liquid cooling serves "
        "racks of 50-100 kW (facility.cooling, facility.rack_power_kw)",
        r.cluster, r.server_peak_it_kw, r.rack_power_kw));
  }
  int by_power = static_cast<int>(std::floor(request.power_mw * 1e6 / per_server.total_w()));
  int by_racks = request.max_racks > 0 ? request.max_racks * r.servers_per_rack : by_power + 1;
  r.servers = std::min(by_power, by_racks);
  if (r.servers < 1) {
    throw InfeasibleError(fmt::format(
        "one {} server needs {:.1f} kW of facility power (PUE {:.2f}), more than the {:.3f} MW "
        "budget",
        r.cluster, r.server_facility_kw, r.pue, request.power_mw));
  }
  if (by_racks < by_power) {
    r.binding_constraint = "rack density";
    r.binding_detail = fmt::format(
        "{} racks of {:.0f} kW hold {} servers of {:.1f} kW; the power budget would feed {}",
        request.max_racks, r.rack_power_kw, by_racks, r.server_peak_it_kw, by_power);
  } else {
    r.binding_constraint = "power";
    r.binding_detail = fmt::format(
        "{:.3f} MW feeds {} servers at {:.1f} kW of facility power each (IT {:.1f} kW at TDP)",
        request.power_mw, by_power, r.server_facility_kw, r.server_peak_it_kw);
  }
  r.racks = (r.servers + r.servers_per_rack - 1) / r.servers_per_rack;
  r.devices = r.servers * one.tiers.devices_per_node;
  r.peak_facility_mw = r.servers * per_server.total_w() / 1e6;

  config::Cluster built = server;
  built.set_nodes(r.servers);
  ClusterModel cluster = resolve_cluster(built, catalog);
  const EnergyReport* energy = nullptr;
  try {
    if (request.serving) {
      r.workload = "serving";
      const auto& s =
          r.run.emplace<ServingResult>(run_serving_job(*request.serving, cluster, catalog));
      r.model = s.model;
      r.devices_used = s.devices;
      r.tokens_per_s = s.throughput_output_tokens_per_s;
      energy = &s.energy;
      bool kv_full = s.batch_size >= s.max_batch_by_kv;
      r.throughput_limit = kv_full ? "memory" : "batch";
      r.throughput_detail =
          kv_full ? fmt::format("{} replicas of tp {}: the KV cache holds no more than batch {}",
                                s.replicas, s.tp, s.max_batch_by_kv)
                  : fmt::format(
                        "{} replicas of tp {} at batch {} ({:.1f} ms per output token); "
                        "the KV cache would hold batch {}",
                        s.replicas, s.tp, s.batch_size, s.tpot_s * 1e3, s.max_batch_by_kv);
    } else {
      r.workload = "training";
      config::TrainingJob job = *request.training;
      int devices = training_devices(job, r.devices);
      if (devices == 0) {
        throw InfeasibleError(fmt::format(
            "{} devices fit, fewer than one tp {} x pp {} group whose data-parallel degree "
            "divides the batch",
            r.devices, job.plan().tp(), job.plan().pp()));
      }
      job.set_devices(devices);
      const auto& training = r.run.emplace<TrainingResult>(run_training_job(job, cluster, catalog));
      r.model = training.model;
      r.devices_used = training.devices;
      r.tokens_per_s = training.tokens_per_s;
      energy = &training.energy;
      const auto& t = training.time;
      double comm =
          t.tp_comm_s + t.pp_comm_s + t.ep_comm_s + t.dp_comm_exposed_s + t.dp_comm_contention_s;
      double compute = t.compute_s + t.recompute_s;
      r.throughput_limit = comm > compute ? "network" : "compute";
      r.throughput_detail = fmt::format(
          "tp {} x pp {} x dp {}: {:.0f} % of the step computing, {:.0f} % exposed "
          "communication, {:.0f} % pipeline bubble and stage imbalance",
          training.tp, training.pp, training.dp, 100 * compute / training.iteration_time_s,
          100 * comm / training.iteration_time_s,
          100 * (t.bubble_s + t.stage_imbalance_s) / training.iteration_time_s);
    }
  } catch (const InfeasibleError& e) {
    throw InfeasibleError(fmt::format(
        "memory: {} servers ({} devices) fit {:.3f} MW, but the workload cannot run on them: {}",
        r.servers, r.devices, request.power_mw, e.what()));
  }
  r.avg_it_power_mw = energy->avg_it_power_w / 1e6;
  r.avg_facility_power_mw = energy->avg_facility_power_w / 1e6;
  r.tokens_per_j = energy->facility_j > 0 ? energy->tokens / energy->facility_j : 0;
  r.tokens_per_s_per_mw =
      r.avg_facility_power_mw > 0 ? r.tokens_per_s / r.avg_facility_power_mw : 0;
  return r;
}

}  // namespace kcsim

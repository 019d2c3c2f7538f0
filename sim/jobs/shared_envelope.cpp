#include "sim/jobs/shared_envelope.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "hw-models/dvfs.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/power/cluster_energy.hpp"

namespace kcsim {
namespace {

constexpr std::array<const char*, 3> kPolicies = {"serving-first", "training-first",
                                                  "proportional"};

double training_tokens_per_s(const TrainingResult& r) {
  return r.iteration_time_s > 0 ? static_cast<double>(r.global_batch) *
                                      static_cast<double>(r.seq_len) / r.iteration_time_s
                                : 0;
}

// The training cluster's devices at their power limit with the job, the rest idle.
double training_demand_w(const ClusterModel& cluster, const config::TrainingJob& job, int devices) {
  double limit = power_limit_w(cluster.chip, job.device_power_cap_w());
  return devices * limit + std::max(0, cluster.devices() - devices) * cluster.chip.idle_w();
}

void fill_training(EnvelopeShare& share, const TrainingResult& r, bool alone) {
  (alone ? share.alone_tokens_per_s : share.shared_tokens_per_s) = training_tokens_per_s(r);
  (alone ? share.alone_energy_j : share.shared_energy_j) = r.energy.facility_j;
}

void fill_serving(EnvelopeShare& share, const ServingResult& r, bool alone) {
  const ServingLoadResult& load = *r.load;
  (alone ? share.alone_tokens_per_s : share.shared_tokens_per_s) =
      load.throughput_output_tokens_per_s;
  (alone ? share.alone_goodput_requests_per_s : share.shared_goodput_requests_per_s) =
      load.goodput_requests_per_s;
  (alone ? share.alone_ttft_p99_s : share.shared_ttft_p99_s) = load.ttft_p99_s;
  (alone ? share.alone_energy_j : share.shared_energy_j) = load.energy.facility_j;
  if (!alone) share.throttled_iterations = load.cap_throttled_iterations;
}

// What `cluster` draws from the grid when its devices draw `devices_w` in all: its servers' own
// draw following that load, its network idle, and the facility's overhead on top (the energy
// accounting's, over one second).
double facility_draw_w(const ClusterModel& cluster, double devices_w) {
  return cluster_energy(cluster, DeviceEnergy{devices_w, 0}, 1.0, LinkActivity{}, 0,
                        EnergyAttribution{cluster.devices(), true})
      .facility_j;
}

// The device budget whose shares under `policy` make the two clusters draw `facility_w` from
// the grid (the draw grows with the budget: bisection); both demands when they fit.
double device_budget_for(double facility_w, const std::string& policy, const ClusterModel& training,
                         double training_demand_w, const ClusterModel& serving,
                         double serving_demand_w) {
  auto draw = [&](double budget) {
    EnvelopeShares s = envelope_shares(policy, budget, training_demand_w, serving_demand_w);
    return facility_draw_w(training, s.training_w) + facility_draw_w(serving, s.serving_w);
  };
  double lo = 0, hi = training_demand_w + serving_demand_w;
  if (draw(hi) <= facility_w) return hi;
  for (int i = 0; i < 60; ++i) {
    double mid = (lo + hi) / 2;
    (draw(mid) <= facility_w ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

std::string envelope_policy_names() {
  return fmt::format("{}, {} or {}", kPolicies[0], kPolicies[1], kPolicies[2]);
}

void check_shared_envelope(const config::Scenario& scenario,
                           const std::vector<std::string>& clusters,
                           const config::LoadedFile& file) {
  const auto& envelope = scenario.shared_envelope();
  auto at = [&](const char* field) { return file.locate(std::string("shared_envelope.") + field); };
  if (!scenario.has_training() || !scenario.has_serving() || !scenario.serving().has_load()) {
    throw_input_error(at(""), "shared_envelope",
                      "a shared envelope runs the scenario's training job beside its serving "
                      "load: give training, and serving with a load");
  }
  if (std::find(kPolicies.begin(), kPolicies.end(), envelope.policy()) == kPolicies.end()) {
    throw_input_error(
        at("policy"), "policy",
        fmt::format("unknown policy \"{}\"; use {}", envelope.policy(), envelope_policy_names()));
  }
  if (envelope.has_device_power_budget_w() == envelope.has_facility_power_budget_w()) {
    throw_input_error(at(envelope.has_device_power_budget_w() ? "facility_power_budget_w" : ""),
                      "device_power_budget_w, facility_power_budget_w",
                      "give one budget: the summed device power the two jobs share, or what "
                      "their clusters draw from the grid, W");
  }
  auto check_cluster = [&](const std::string& name, const char* field) {
    if (std::find(clusters.begin(), clusters.end(), name) == clusters.end()) {
      throw_input_error(at(field), field,
                        fmt::format("\"{}\" is not a cluster of this scenario; it has: {}", name,
                                    fmt::join(clusters, ", ")));
    }
  };
  check_cluster(envelope.training_cluster(), "training_cluster");
  check_cluster(envelope.serving_cluster(), "serving_cluster");
  if (envelope.training_cluster() == envelope.serving_cluster()) {
    throw_input_error(at("serving_cluster"), "serving_cluster",
                      "the jobs share the power, not the devices: give each a cluster of its own "
                      "(two pools of a mixed cluster, say)");
  }
  if (clusters.size() != 2) {
    throw_input_error(at(""), "shared_envelope",
                      fmt::format("a shared envelope holds the two clusters its jobs run on; the "
                                  "scenario lists {}: {}",
                                  clusters.size(), fmt::join(clusters, ", ")));
  }
}

EnvelopeShares envelope_shares(const std::string& policy, double budget_w, double training_demand_w,
                               double serving_demand_w) {
  EnvelopeShares shares;
  if (policy == "serving-first") {
    shares.serving_w = std::min(serving_demand_w, budget_w);
    shares.training_w = std::min(training_demand_w, budget_w - shares.serving_w);
  } else if (policy == "training-first") {
    shares.training_w = std::min(training_demand_w, budget_w);
    shares.serving_w = std::min(serving_demand_w, budget_w - shares.training_w);
  } else {
    double demand = training_demand_w + serving_demand_w;
    double scale = demand > budget_w ? budget_w / demand : 1.0;
    shares.training_w = training_demand_w * scale;
    shares.serving_w = serving_demand_w * scale;
  }
  return shares;
}

SharedEnvelopeResult run_shared_envelope(const config::Scenario& scenario,
                                         const ClusterModel& training_cluster,
                                         const TrainingResult& training_alone,
                                         const ClusterModel& serving_cluster,
                                         const ServingResult& serving_alone,
                                         const config::Catalog& catalog,
                                         const config::LoadedFile& file, const Engine& engine) {
  const auto& envelope = scenario.shared_envelope();
  SharedEnvelopeResult result;
  result.policy = envelope.policy();
  EnvelopeShare& train = result.training;
  EnvelopeShare& serve = result.serving;
  train.job = "training";
  train.cluster = training_cluster.name;
  serve.job = "serving";
  serve.cluster = serving_cluster.name;
  train.demand_w = training_demand_w(training_cluster, scenario.training(), training_alone.devices);
  serve.demand_w = serving_alone.load->cluster_power_peak_w;
  result.device_power_budget_w = envelope.device_power_budget_w();
  if (envelope.has_facility_power_budget_w()) {
    result.facility_power_budget_w = envelope.facility_power_budget_w();
    result.device_power_budget_w =
        device_budget_for(result.facility_power_budget_w, result.policy, training_cluster,
                          train.demand_w, serving_cluster, serve.demand_w);
  }
  EnvelopeShares shares =
      envelope_shares(result.policy, result.device_power_budget_w, train.demand_w, serve.demand_w);
  train.share_w = shares.training_w;
  serve.share_w = shares.serving_w;
  train.facility_w = facility_draw_w(training_cluster, train.share_w);
  serve.facility_w = facility_draw_w(serving_cluster, serve.share_w);
  fill_training(train, training_alone, true);
  fill_serving(serve, serving_alone, true);

  // Training keeps its share as a power limit on each of its devices, the cluster's unused
  // devices idle beside them.
  int devices = training_alone.devices;
  double idle_w =
      std::max(0, training_cluster.devices() - devices) * training_cluster.chip.idle_w();
  train.throttled = train.share_w < train.demand_w * (1 - 1e-12);
  train.limit_w = devices > 0 ? (train.share_w - idle_w) / devices : 0;
  if (!train.throttled) {
    train.limit_w = power_limit_w(training_cluster.chip, scenario.training().device_power_cap_w());
    fill_training(train, training_alone, false);
  } else if (train.limit_w <= 0) {
    train.error = fmt::format(
        "a share of {:.0f} W leaves nothing above the {:.0f} W its cluster's "
        "unused devices draw idle",
        train.share_w, idle_w);
  } else {
    config::TrainingJob job = scenario.training();
    job.set_device_power_cap_w(train.limit_w);
    try {
      fill_training(train,
                    run_training_job(job, training_cluster, catalog, {&file, "training"}, engine),
                    false);
    } catch (const InfeasibleError& e) {
      train.error = e.what();
    }
  }

  // Serving keeps its share as a cap on its cluster's summed device power.
  serve.throttled = serve.share_w < serve.demand_w * (1 - 1e-12);
  serve.limit_w = serve.share_w;
  if (!serve.throttled) {
    fill_serving(serve, serving_alone, false);
  } else if (serve.share_w <= 0) {
    serve.error = "the policy left it no power";
  } else {
    config::ServingJob job = scenario.serving();
    job.mutable_load()->set_cluster_power_cap_w(serve.share_w);
    try {
      fill_serving(
          serve, run_serving_job(job, serving_cluster, catalog, {&file, "serving"}, engine), false);
    } catch (const InfeasibleError& e) {
      serve.error = e.what();
    }
  }
  return result;
}

}  // namespace kcsim

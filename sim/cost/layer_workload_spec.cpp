#include "sim/cost/layer_workload_spec.hpp"

#include <cmath>

#include <fmt/format.h>

namespace kcsim {
namespace {

void check_non_negative(double value, const JobOrigin& origin, const std::string& field) {
  if (!(value >= 0) || !std::isfinite(value)) {
    throw_input_error(origin.at(field), field,
                      fmt::format("must be a non-negative number (got {})", value));
  }
}

}  // namespace

LayerWorkloadSpec layer_workload_spec(const config::LayerWorkload& job, const ClusterModel& cluster,
                                      const JobOrigin& origin) {
  if (job.layers_size() == 0) {
    throw_input_error(origin.at("layers"), "layers", "a layer workload needs at least one layer");
  }
  if (job.repeat() < 1) {
    throw_input_error(origin.at("repeat"), "repeat",
                      fmt::format("must be at least 1 (got {})", job.repeat()));
  }
  auto algorithm = Algorithm::parse(job.collective_algorithm());
  if (!algorithm) {
    throw_input_error(origin.at("collective_algorithm"), "collective_algorithm",
                      fmt::format("unknown algorithm \"{}\"; available: {}",
                                  job.collective_algorithm(), algorithm_names()));
  }
  LayerWorkloadSpec spec;
  spec.algorithm = *algorithm;
  spec.per_node = cluster.tiers.devices_per_node;
  spec.devices = job.has_devices() ? job.devices() : cluster.devices();
  if (spec.devices < 1 || spec.devices > cluster.devices() || spec.devices % spec.per_node != 0) {
    throw_input_error(origin.at("devices"), "devices",
                      fmt::format("must be a whole number of {}-device servers, at most the "
                                  "cluster's {} (got {})",
                                  spec.per_node, cluster.devices(), spec.devices));
  }
  std::vector<LayerPhase> once;
  for (int i = 0; i < job.layers_size(); ++i) {
    const auto& layer = job.layers(i);
    std::string at = fmt::format("layers[{}]", i);
    check_non_negative(layer.forward_ms(), origin, at + ".forward_ms");
    check_non_negative(layer.backward_ms(), origin, at + ".backward_ms");
    check_non_negative(layer.gradient_bytes(), origin, at + ".gradient_bytes");
    once.push_back({layer.name().empty() ? fmt::format("layer{}", i) : layer.name(),
                    layer.forward_ms() * 1e-3, layer.backward_ms() * 1e-3, layer.gradient_bytes()});
  }
  for (int r = 0; r < job.repeat(); ++r) {
    spec.layers.insert(spec.layers.end(), once.begin(), once.end());
  }
  return spec;
}

double layer_all_reduce_s(const LayerWorkloadSpec& spec, const ClusterModel& cluster,
                          double bytes) {
  if (bytes <= 0) return 0;
  // The workload's bandwidths are the network's as given: no collective efficiency applies.
  return collective_time_s(Collective::AllReduce, bytes, spec.group(), cluster.tiers, 1.0,
                           spec.algorithm);
}

LayerStepResult layer_step_totals(const LayerWorkloadSpec& spec, const ClusterModel& cluster) {
  LayerStepResult r;
  r.devices = spec.devices;
  r.layers = static_cast<int>(spec.layers.size());
  r.collective_algorithm = spec.algorithm.name();
  // Summed in the order the step runs them: forwards first to last, backwards last to first.
  double compute = 0;
  for (const auto& layer : spec.layers) compute += layer.forward_s;
  for (auto it = spec.layers.rbegin(); it != spec.layers.rend(); ++it) {
    compute += it->backward_s;
    r.comm_total_s += layer_all_reduce_s(spec, cluster, it->gradient_bytes);
  }
  r.compute_s = compute;
  return r;
}

}  // namespace kcsim

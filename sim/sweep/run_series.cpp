#include "sim/sweep/run_series.hpp"

#include <algorithm>
#include <cmath>

namespace kcsim::sweep {

TimeSeries run_series(const ScenarioRun& run) {
  if (run.training && !run.training->series.empty()) return run.training->series;
  if (run.serving && run.serving->load) return serving_load_series(*run.serving->load);
  return {};
}

TimeSeries serving_load_series(const ServingLoadResult& load) {
  TimeSeries out;
  if (load.power_samples.empty()) return out;
  double end_s = std::max(load.simulated_time_s, load.power_samples.back().time_s);
  std::vector<PowerSample> steps;
  steps.reserve(load.power_samples.size());
  for (const auto& s : load.power_samples) steps.push_back({s.time_s, s.power_w});
  out.names = {"time_s", "device_power_w", "bin_start_s", "completed_output_tokens_per_s"};
  out.columns.resize(4);
  for (const auto& s : bounded_power_steps(steps, end_s, kMaxSeriesSamples)) {
    out.columns[0].push_back(s.time_s);
    out.columns[1].push_back(s.power_w);
  }
  size_t bins = std::clamp<size_t>(static_cast<size_t>(std::ceil(end_s)), 1, kMaxSeriesSamples);
  double width = end_s > 0 ? end_s / static_cast<double>(bins) : 1;
  std::vector<double> tokens(bins, 0);
  for (const auto& r : load.requests) {
    if (r.rejected || r.finish_s < 0) continue;
    auto bin = std::min(bins - 1, static_cast<size_t>(std::max(0.0, r.finish_s / width)));
    tokens[bin] += static_cast<double>(r.output_tokens);
  }
  for (size_t b = 0; b < bins; ++b) {
    out.columns[2].push_back(width * static_cast<double>(b));
    out.columns[3].push_back(tokens[b] / width);
  }
  return out;
}

}  // namespace kcsim::sweep

// Results as text for a terminal: every number with its unit.
#pragma once

#include <string>
#include <vector>

#include "analysis/results.hpp"

namespace kcsim {

std::string format_training(const TrainingResult& r);
std::string format_serving(const ServingResult& r);
// One row per cluster: throughput, watts, joules per token, tokens per second per kW.
std::string format_scenario(const ScenarioResult& r);
std::string format_validation(const std::vector<ValidationRow>& rows);
// How many devices and racks fit a power budget, what binds, and what they deliver.
std::string format_envelope(const EnvelopeResult& r);

}  // namespace kcsim

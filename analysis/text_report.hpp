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
// A scenario's published claims beside kcsim's figures, with sources and assumptions; empty
// when it states none.
std::string format_claims(const ScenarioResult& r);
// Jobs side by side under one power budget: each job's demand, share and what it lost; empty
// without one.
std::string format_envelope(const ScenarioResult& r);
std::string format_validation(const std::vector<ValidationRow>& rows);
// A case's error against its published figure ("+3.1 %"; a ratio held to an absolute tolerance
// in percentage points, "+1.2 pp"; "error" when it could not run), its tolerance in the same
// unit, and its metric's name ("... ratio" for a ratio of two runs).
std::string validation_error_text(const ValidationRow& row);
std::string validation_tolerance_text(const ValidationRow& row);
std::string validation_metric_label(const ValidationRow& row);
// How many devices and racks fit a power budget, what binds, and what they deliver.
std::string format_envelope(const EnvelopeResult& r);

}  // namespace kcsim

// Results as JSON objects whose keys carry their units. Key order is fixed, so the same result
// prints the same bytes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/results.hpp"

namespace kcsim {

using Json = nlohmann::ordered_json;

Json to_json(const TrainingResult& r);
Json to_json(const ServingResult& r);
Json to_json(const ScenarioResult& r);
Json to_json(const std::vector<ValidationRow>& rows);
Json to_json(const ReplayResult& r);
Json to_json(const EnvelopeResult& r);
ReplayResult replay_result_from_json(const Json& json);
Json to_json(const LayerStepResult& r);
LayerStepResult layer_step_result_from_json(const Json& json);

// The inverse of to_json(TrainingResult): carries a result across a process boundary.
// Throws nlohmann::json::exception when a key is missing.
TrainingResult training_result_from_json(const Json& json);

// Time series as {"time_s": [...], "NAME": [...], ...} in their order, and back. to_json of a
// result leaves its series out; the event engine's child adds them under "series".
Json to_json(const TimeSeries& series);
TimeSeries time_series_from_json(const Json& json);

// Two-space indented text with a final newline.
std::string dump(const Json& json);

}  // namespace kcsim

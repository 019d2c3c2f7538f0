// A mix plan (mix_plan_result.hpp) as JSON keys and as text: each workload's options, the mixes
// by the objective with the frontier marked, and the chosen mix.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analysis/mix_plan_result.hpp"

namespace kcsim {

// The most mixes either form lists (the best by the objective; the frontier's always shown).
inline constexpr size_t kMixesShown = 50;

nlohmann::ordered_json mix_plan_json(const MixPlanResult& r);
std::string format_mix_plan(const MixPlanResult& r);

}  // namespace kcsim

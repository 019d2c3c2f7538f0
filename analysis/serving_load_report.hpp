// A load-driven serving run as JSON keys, a text block and a per-request CSV.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/results.hpp"

namespace kcsim {

// Adds the run's keys (requests_arrived, ttft_p50_s, ..., replicas, iterations when logged) to a
// serving result's JSON object.
void append_serving_load(nlohmann::ordered_json& j, const ServingLoadResult& load);

std::string format_serving_load(const ServingLoadResult& load);

// One row per request: id, arrival_s, first_token_s, finish_s, ttft_s, tpot_s, e2e_s,
// input_tokens, output_tokens, replica, decode_replica, preemptions, status. Written whole or
// not at all.
void write_requests_csv(const std::filesystem::path& path, const ServingLoadResult& load);

}  // namespace kcsim

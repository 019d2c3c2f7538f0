// Loads a scenario file and runs every workload it names on every cluster it names.
#pragma once

#include <filesystem>
#include <vector>

#include "analysis/results.hpp"
#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"

namespace kcsim {

// Bad input (parse errors, unknown names, impossible values) throws InputError. A workload that
// cannot run on one of several clusters is recorded in that run with its reason; with a single
// cluster it throws InfeasibleError.
ScenarioResult run_scenario_file(const std::filesystem::path& file, const config::Catalog& catalog);

// The same for a scenario already parsed from `file` (errors point into it); `default_name`
// names the result when the scenario has no name. Sweeps run each point through here.
ScenarioResult run_scenario(const config::Scenario& scenario, const config::LoadedFile& file,
                            const std::string& default_name, const config::Catalog& catalog);

}  // namespace kcsim

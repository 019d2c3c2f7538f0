// A scenario's published claims (scenario.proto, Claim) read against the runs it produced.
#pragma once

#include <vector>

#include "analysis/results.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"

namespace kcsim {

// Throws InputError at the claim's field when a claim lacks its statement, metric, value or
// source citation; run before any workload, so that a long run does not end in a bad-input error.
void check_claims(const config::Scenario& scenario, const config::LoadedFile& file);

// Each claim beside the figure its run produced. Throws InputError at the claim when it names a
// cluster the scenario does not run or a metric that is not a numeric key of the run's output; a
// run that could not do the workload gives a claim with no figure and the run's reason.
std::vector<ClaimCheck> read_claims(const config::Scenario& scenario,
                                    const config::LoadedFile& file, const ScenarioResult& result);

}  // namespace kcsim

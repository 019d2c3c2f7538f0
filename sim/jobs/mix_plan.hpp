// `kcsim plan --mix`: the mix of a mixed cluster's pools that meets a training job and serving
// demands within a facility power budget at the least facility power (or cost), and the
// frontier of facility power against cost (scenario.proto, MixPlan).
#pragma once

#include "analysis/mix_plan_result.hpp"
#include "cluster.pb.h"
#include "configs/loader/catalog.hpp"
#include "scenario.pb.h"
#include "sim/cost/job_origin.hpp"

namespace kcsim {

// "facility-power or cost".
const char* mix_objective_names();

// Every workload sized on every option (mix_sizing.hpp), every combination of one option per
// workload priced, sorted by the objective, the frontier marked and the cheapest mix within the
// budget chosen. InfeasibleError when no mix is within the budget (saying what budget would fit
// the least one) or a workload has no option that meets it (with each option's reason). Errors
// point into `origin` (the
// plan's path, "mix_plan"): InputError for a missing budget or workload, an unknown objective or
// pool, a training job without run_tokens or days, a serving demand without a load or an
// objective, or the cost objective with a pool that has no price.
MixPlanResult plan_mix(const config::MixPlan& plan, const config::Cluster& mixed,
                       const config::Catalog& catalog, const JobOrigin& origin);

}  // namespace kcsim

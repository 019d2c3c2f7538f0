// A serving job's `load` block checked and turned into a request stream and loop options.
#pragma once

#include "analysis/results.hpp"
#include "sim/cost/job_origin.hpp"
#include "sim/cost/serving_spec.hpp"
#include "sim/jobs/serving_load.hpp"

namespace kcsim {

// The most requests a rate-driven stream may draw without a request count (as the schema
// bounds `requests`): about 3 us of simulation each, so minutes at the limit.
constexpr double kMaxStreamRequests = 1e8;

// Throws InputError naming the field (at `origin`) for a bad rate, length spec, scheduler,
// router, block size, missing stop condition or an unreadable trace (a relative trace path is
// taken from the folder of the origin's file); InfeasibleError for a stream past
// kMaxStreamRequests.
ServingLoadOptions serving_load_options(const config::ServingLoad& load, const JobOrigin& origin);
serving::RequestStream serving_load_requests(const config::ServingLoad& load,
                                             const ServingSpec& spec, const JobOrigin& origin);

// The decode pool of a job disaggregated across chips (ServingJob.decode_pool), resolved.
struct DecodePoolRun {
  ClusterModel cluster;
  ServingSpec spec;
};

// The stream on `cluster`; with `decode`, prefilled there and decoded on the decode pool.
ServingResult run_serving_load_job(const config::ServingLoad& load, const ServingSpec& spec,
                                   const ClusterModel& cluster, const JobOrigin& origin,
                                   const DecodePoolRun* decode = nullptr);

}  // namespace kcsim

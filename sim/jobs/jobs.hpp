// Runs one training or serving job on one cluster: the single path that the command line,
// scenarios and validation cases all take.
#pragma once

#include <string>

#include "analysis/results.hpp"
#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/job_origin.hpp"
#include "sim/cost/serving_spec.hpp"
#include "sim/cost/training_spec.hpp"
#include "sim/engines/analytical/analytical_engine.hpp"
#include "sim/engines/engine.hpp"
#include "sim/jobs/plan_search.hpp"
#include "workload.pb.h"
#include "workloads/model_shape.hpp"

namespace kcsim {

// The catalog model named `name` with `overrides` applied, as a checked shape.
ModelShape resolve_model(const std::string& name, const config::Model& overrides,
                         const config::Catalog& catalog, const JobOrigin& origin);

// The job's training spec as written: its model resolved, its runtime and plan values checked,
// the dtype mapped to the chip's equivalent when the job allows it. The plan itself (fit,
// divisibility) is not checked here: auto_plan searches for one.
TrainingSpec training_job_spec(const config::TrainingJob& job, const ClusterModel& cluster,
                               const config::Catalog& catalog, const JobOrigin& origin = {});

// The job's serving spec, the same way, and its replica checked against the cluster (it fits,
// the chip has its dtypes, TP divides the heads).
ServingSpec serving_job_spec(const config::ServingJob& job, const ClusterModel& cluster,
                             const config::Catalog& catalog, const JobOrigin& origin = {});

// The decode side of a job disaggregated across chips (its decode_pool) as a job of that pool
// alone: its own tp, pp, replicas, dtypes and cap; the model, lengths and stack shared.
config::ServingJob decode_pool_job(const config::ServingJob& job);

// The job's plan, checked (or searched, with auto_plan) and priced on the analytical engine.
PlannedTraining plan_training_job(const config::TrainingJob& job, const ClusterModel& cluster,
                                  const config::Catalog& catalog, const JobOrigin& origin = {});

// The plan (chosen and checked on the analytical engine as always) run on `engine`.
TrainingResult run_training_job(const config::TrainingJob& job, const ClusterModel& cluster,
                                const config::Catalog& catalog, const JobOrigin& origin = {},
                                const Engine& engine = analytical_engine(),
                                const EventOptions& options = {});
// A job with a load serves its request stream on the event engine's serving loop, whichever
// `engine` is named; without one, `engine` serves one batch per replica.
ServingResult run_serving_job(const config::ServingJob& job, const ClusterModel& cluster,
                              const config::Catalog& catalog, const JobOrigin& origin = {},
                              const Engine& engine = analytical_engine());

}  // namespace kcsim

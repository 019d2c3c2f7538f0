#include "sim/jobs/jobs.hpp"

#include <utility>

#include <fmt/format.h>

#include "configs/loader/cluster_pools.hpp"

#include "sim/jobs/plan_search.hpp"
#include "sim/jobs/serving_load_job.hpp"
#include "sim/power/training_result.hpp"

namespace kcsim {

ModelShape resolve_model(const std::string& name, const config::Model& overrides,
                         const config::Catalog& catalog, const JobOrigin& origin) {
  config::Model base;
  if (!name.empty()) {
    base = catalog.model(name, origin.at("model"));
  } else if (!overrides.has_layers()) {
    throw_input_error(origin.at("model"), "model", "name a catalog model or give its shape");
  }
  try {
    return ModelShape::from_config(config::merge_model(base, overrides));
  } catch (const InputError& e) {
    throw InputError(origin.at("model_overrides").str() + ": " + e.what());
  }
}

TrainingSpec training_job_spec(const config::TrainingJob& job, const ClusterModel& cluster,
                               const config::Catalog& catalog, const JobOrigin& origin) {
  ModelShape model = resolve_model(job.model(), job.model_overrides(), catalog, origin);
  RuntimeSpec runtime =
      resolve_runtime(job.runtime(), kDefaultTrainingRuntime, cluster.chip, catalog, origin);
  try {
    TrainingSpec spec = make_training_spec(job, model, cluster.devices());
    spec.runtime = runtime;
    if (job.allow_equivalent_dtype()) spec.dtype = cluster.chip.equivalent_dtype(spec.dtype);
    return spec;
  } catch (const InputError& e) {
    throw InputError(origin.at("").str() + ": " + e.what());
  }
}

ServingSpec serving_job_spec(const config::ServingJob& job, const ClusterModel& cluster,
                             const config::Catalog& catalog, const JobOrigin& origin) {
  ModelShape model = resolve_model(job.model(), job.model_overrides(), catalog, origin);
  RuntimeSpec runtime =
      resolve_runtime(job.runtime(), kDefaultServingRuntime, cluster.chip, catalog, origin);
  ServingSpec spec;
  try {
    spec = make_serving_spec(job, model, cluster);
    spec.runtime = runtime;
    if (job.allow_equivalent_dtype()) {
      spec.dtype = cluster.chip.equivalent_dtype(spec.dtype);
      if (!job.has_kv_dtype()) spec.kv_dtype = spec.dtype;
    }
  } catch (const InputError& e) {
    throw InputError(origin.at("").str() + ": " + e.what());
  }
  check_serving_plan(spec, cluster);
  return spec;
}

PlannedTraining plan_training_job(const config::TrainingJob& job, const ClusterModel& cluster,
                                  const config::Catalog& catalog, const JobOrigin& origin) {
  TrainingSpec spec = training_job_spec(job, cluster, catalog, origin);
  return job.auto_plan() ? run_training_auto(cluster, spec)
                         : PlannedTraining{spec, run_training(cluster, spec)};
}

TrainingResult run_training_job(const config::TrainingJob& job, const ClusterModel& cluster,
                                const config::Catalog& catalog, const JobOrigin& origin,
                                const Engine& engine, const EventOptions& options) {
  PlannedTraining planned = plan_training_job(job, cluster, catalog, origin);
  // Planning priced the plan on the analytical engine already: its answer is that result.
  TrainingResult result = &engine == &analytical_engine() && !options.any()
                              ? std::move(planned.result)
                              : engine.train(cluster, planned.spec, options);
  if (job.has_run_tokens()) result.run = training_run_totals(result, job.run_tokens());
  return result;
}

config::ServingJob decode_pool_job(const config::ServingJob& job) {
  const config::DecodePool& pool = job.decode_pool();
  config::ServingJob decode = job;
  decode.clear_load();
  decode.clear_decode_pool();
  if (pool.has_tp())
    decode.set_tp(pool.tp());
  else
    decode.clear_tp();
  decode.set_pp(pool.pp());
  if (pool.has_replicas())
    decode.set_replicas(pool.replicas());
  else
    decode.clear_replicas();
  if (pool.has_dtype()) decode.set_dtype(pool.dtype());
  if (pool.has_kv_dtype())
    decode.set_kv_dtype(pool.kv_dtype());
  else
    decode.clear_kv_dtype();
  decode.set_device_power_cap_w(pool.device_power_cap_w());
  return decode;
}

namespace {

// The decode side of a job disaggregated across chips: the other pool, resolved, and the job's
// replica there (its own tp, pp, replicas, dtypes and cap; the model, lengths and stack shared).
DecodePoolRun decode_pool_run(const config::ServingJob& job, const ClusterModel& cluster,
                              const config::Catalog& catalog, const JobOrigin& origin) {
  const config::DecodePool& pool = job.decode_pool();
  if (!job.has_load()) {
    throw_input_error(origin.at("decode_pool"), "decode_pool",
                      "serving across pools serves a request stream: give load { scheduler: "
                      "\"disaggregated\" ... }");
  }
  if (job.load().scheduler() != kDisaggregated) {
    throw_input_error(origin.at("load.scheduler"), "load.scheduler",
                      fmt::format("a decode pool serves disaggregated: scheduler \"{}\", not "
                                  "\"{}\"",
                                  kDisaggregated, job.load().scheduler()));
  }
  if (job.load().has_prefill_replicas()) {
    throw_input_error(origin.at("load.prefill_replicas"), "load.prefill_replicas",
                      "splits one pool's replicas; with a decode pool the job's replicas "
                      "prefill and decode_pool.replicas decode");
  }
  const std::string own_pool = config::split_pool_name(cluster.name).second;
  if (pool.pool() == own_pool) {
    throw_input_error(origin.at("decode_pool.pool"), "decode_pool.pool",
                      fmt::format("\"{}\" is the pool the job prefills on; to decode there too, "
                                  "leave decode_pool out and split it with load.prefill_replicas",
                                  own_pool));
  }
  config::Cluster config = config::sibling_pool(catalog.cluster_lookup(), cluster.config,
                                                pool.pool(), origin.at("decode_pool.pool"));
  DecodePoolRun run{resolve_cluster(config, catalog), {}};
  run.spec = serving_job_spec(
      decode_pool_job(job), run.cluster, catalog,
      {origin.file, origin.path.empty() ? "decode_pool" : origin.path + ".decode_pool"});
  return run;
}

}  // namespace

ServingResult run_serving_job(const config::ServingJob& job, const ClusterModel& cluster,
                              const config::Catalog& catalog, const JobOrigin& origin,
                              const Engine& engine) {
  ServingSpec spec = serving_job_spec(job, cluster, catalog, origin);
  ServingResult result;
  if (job.has_decode_pool()) {
    DecodePoolRun decode = decode_pool_run(job, cluster, catalog, origin);
    result = run_serving_load_job(job.load(), spec, cluster, origin, &decode);
  } else {
    result = job.has_load() ? run_serving_load_job(job.load(), spec, cluster, origin)
                            : engine.serve(cluster, spec);
  }
  result.runtime = spec.runtime.name;
  return result;
}

}  // namespace kcsim

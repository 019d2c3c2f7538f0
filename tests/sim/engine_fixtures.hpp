// Clusters and jobs from the catalog for engine tests.
#pragma once

#include <string>

#include "configs/loader/catalog.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/cost/serving_spec.hpp"
#include "sim/cost/training_spec.hpp"

namespace kcsim::test {

inline config::Catalog catalog() { return config::Catalog(KCSIM_SOURCE_DIR "/configs"); }

inline ClusterModel catalog_cluster(const std::string& name, int nodes) {
  auto config = catalog().cluster(name);
  config.set_nodes(nodes);
  return resolve_cluster(config, catalog());
}

inline ModelShape catalog_model(const std::string& name) {
  return ModelShape::from_config(catalog().model(name));
}

inline TrainingSpec training(const ClusterModel& cluster, const std::string& model, int tp, int pp,
                             long long global_batch, config::Recompute recompute = config::SELECTIVE,
                             int virtual_stages = 1) {
  config::TrainingJob job;
  job.set_global_batch(global_batch);
  job.mutable_plan()->set_tp(tp);
  job.mutable_plan()->set_pp(pp);
  job.mutable_plan()->set_sequence_parallel(tp > 1);
  job.mutable_plan()->set_recompute(recompute);
  job.mutable_plan()->set_virtual_stages(virtual_stages);
  return make_training_spec(job, catalog_model(model), cluster.devices());
}

inline ServingSpec serving(const ClusterModel& cluster, const std::string& model, int tp, int batch,
                           long long prompt, long long output, int pp = 1) {
  config::ServingJob job;
  job.set_tp(tp);
  job.set_pp(pp);
  job.set_batch_size(batch);
  job.set_prompt_tokens(prompt);
  job.set_output_tokens(output);
  return make_serving_spec(job, catalog_model(model), cluster);
}

}  // namespace kcsim::test

// A training job and a serving load side by side under one power budget (scenario.proto,
// SharedEnvelope): the governor's shares by policy, and each job run again under its share.
#pragma once

#include <string>
#include <vector>

#include "analysis/results.hpp"
#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"
#include "sim/cluster/cluster_model.hpp"
#include "sim/engines/engine.hpp"

namespace kcsim {

// "serving-first, training-first or proportional".
std::string envelope_policy_names();

// Both workloads given, serving with a load, a known policy, and clusters that are the
// scenario's (`clusters`, by the names they run as) and only those; InputError at the
// envelope's field otherwise.
void check_shared_envelope(const config::Scenario& scenario,
                           const std::vector<std::string>& clusters,
                           const config::LoadedFile& file);

// Each job's share of `budget_w` by `policy`, from their demands: serving-first gives serving
// its demand (or the whole budget) and training the rest; training-first the other way round;
// proportional gives each the budget in proportion to its demand. No share exceeds its demand.
struct EnvelopeShares {
  double training_w = 0, serving_w = 0;
};
EnvelopeShares envelope_shares(const std::string& policy, double budget_w, double training_demand_w,
                               double serving_demand_w);

// The scenario's two jobs under its envelope: their demands from their runs alone, the shares,
// and each job run again under its share where the share is below its demand (training with a
// per-device power limit, serving with a cap on its cluster's summed device power). A job that
// cannot run under its share reports why.
SharedEnvelopeResult run_shared_envelope(const config::Scenario& scenario,
                                         const ClusterModel& training_cluster,
                                         const TrainingResult& training_alone,
                                         const ClusterModel& serving_cluster,
                                         const ServingResult& serving_alone,
                                         const config::Catalog& catalog,
                                         const config::LoadedFile& file, const Engine& engine);

}  // namespace kcsim

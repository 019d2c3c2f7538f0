// Envelope planning: how many servers and racks of a kind fit a facility power budget (cooling,
// conversion, network and storage included), and what the analytical engine says they deliver.
#pragma once

#include <optional>

#include "analysis/results.hpp"
#include "configs/loader/catalog.hpp"
#include "sim/cluster/facility_model.hpp"
#include "workload.pb.h"

namespace kcsim {

struct EnvelopeRequest {
  double power_mw = 0;
  int max_racks = 0;        // 0: as many as the power allows
  config::Cluster cluster;  // one server's worth (nodes is ignored); its facility applies
  std::optional<config::ServingJob> serving;
  std::optional<config::TrainingJob> training;  // plan tp and pp kept; dp fills the devices
};

// One server of `server` (its node; its server count is ignored) at TDP as the facility feeds
// it: with its share of the network (from a sample of 16 such servers), storage, cooling and
// conversion.
FacilityPower server_facility_peak(const config::Cluster& server, const config::Catalog& catalog);

// Throws InputError for a bad budget, InfeasibleError when not one server fits (the power
// budget or a rack), or the workload cannot run on what fits (saying why).
EnvelopeResult plan_envelope(const EnvelopeRequest& request, const config::Catalog& catalog);

}  // namespace kcsim

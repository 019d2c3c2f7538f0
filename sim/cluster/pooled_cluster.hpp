// A cluster of several kinds of server, resolved: every pool as the one-chip cluster a job on it
// sees, and the whole cluster as one graph with every pool on the same scale-out network.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cluster.pb.h"
#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/cluster/cluster_model.hpp"

namespace kcsim {

struct PooledClusterModel {
  std::string name;
  config::Cluster config;                              // as written, with its pools
  std::vector<std::string> pool_names;                 // in the cluster's order
  std::vector<ClusterModel> pools;                     // the same order; each named "cluster:pool"
  std::shared_ptr<const topology::Topology> topology;  // every pool's servers, one network

  int devices() const;
  // Every pool's devices at TDP and servers at that load.
  double peak_it_power_w() const;
};

// Resolves every pool (resolve_cluster, with errors pointing into `file` at the pool's path)
// and builds the joined topology. Throws InputError for a cluster without pools and
// InfeasibleError when the pools together hold more than kMaxClusterDevices devices.
PooledClusterModel resolve_pooled_cluster(const config::Cluster& cluster,
                                          const config::Catalog& catalog,
                                          const config::LoadedFile* file = nullptr,
                                          const std::string& path = "");

}  // namespace kcsim

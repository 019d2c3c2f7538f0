// A cluster of several kinds of server lists them as pools (cluster.proto); a job runs on one
// pool, named "cluster:pool", as on a cluster of that pool's servers alone. These turn a pool
// into that one-chip cluster, and check the pools of a cluster as a whole.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cluster.pb.h"
#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"

namespace kcsim::config {

// Between a cluster's name and a pool's: "kcloud-mixed:h100-train".
inline constexpr char kPoolSeparator = ':';

// "cluster:pool" as {cluster, pool}; {name, ""} when `name` names no pool.
std::pair<std::string, std::string> split_pool_name(const std::string& name);

// A catalog cluster by name, errors at `where` (Catalog::cluster, passed in by the caller).
using ClusterLookup = std::function<Cluster(const std::string& name, const Origin& where)>;

// The pools' names, in the order the cluster lists them.
std::vector<std::string> pool_names(const Cluster& cluster);

// Pool `pool` of `cluster` as a cluster of its own, named "cluster:pool": the pool's server
// (its `servers` catalog cluster's node, looked up with `catalog`, or its own `node`), its server
// count, the cluster's network at the pool's NIC rate, and the cluster's facility; `mixed` keeps
// the whole cluster, for jobs that reach its other pools. Every pool of the cluster is checked
// first (names unique, one server each, a count, no `node` or `nodes` beside the pools, a fat-tree
// network); errors point into `file` at `path` ("" for the cluster's own file, "clusters[0]" for
// one inside a scenario).
Cluster pool_cluster(const ClusterLookup& catalog, const Cluster& cluster, const std::string& pool,
                     const LoadedFile& file, const std::string& path = "");

// Another pool of the cluster `pool` was taken from (its `mixed`), as pool_cluster gives it;
// InputError at `where` when `pool` is not a pool of such a cluster.
Cluster sibling_pool(const ClusterLookup& catalog, const Cluster& pool, const std::string& sibling,
                     const Origin& where);

// Every pool of `cluster` as pool_cluster gives it, in order.
std::vector<Cluster> pool_clusters(const ClusterLookup& catalog, const Cluster& cluster,
                                   const LoadedFile& file, const std::string& path = "");

}  // namespace kcsim::config

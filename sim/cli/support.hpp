// What the subcommands share: the catalog they read, and the cluster a `--chip` flag stands for.
#pragma once

#include <string>

#include "cluster.pb.h"
#include "configs/loader/catalog.hpp"

namespace kcsim::cli {

struct Common;

// The catalog at --configs, else the default root.
config::Catalog catalog_of(const Common& common);

// Whether --cluster names a file (a path or a .textproto/.json name) rather than a catalog entry.
bool is_cluster_file(const std::string& name_or_file);

// A catalog cluster by name, or a cluster file (a path, or a name ending in .textproto / .json);
// "name:pool" or "file:pool" gives one pool of a cluster of several kinds of server.
config::Cluster load_cluster(const config::Catalog& catalog, const std::string& name_or_file);

// `cluster_name` wins when given; else the first catalog cluster (by name) whose node uses
// `chip`. Throws InputError when neither names anything in the catalog.
config::Cluster cluster_for(const config::Catalog& catalog, const std::string& cluster_name,
                            const std::string& chip, int devices);

}  // namespace kcsim::cli

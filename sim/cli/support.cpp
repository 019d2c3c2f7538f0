#include "sim/cli/support.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/cli/commands.hpp"

namespace kcsim::cli {

config::Catalog catalog_of(const Common& common) {
  // Shared by the process's calls: a Python loop of them reads each catalog file once.
  if (common.configs.empty()) return config::Catalog::shared(config::Catalog::default_root());
  return config::Catalog::shared(common.configs);
}

bool is_cluster_file(const std::string& name_or_file) {
  return name_or_file.find('/') != std::string::npos || name_or_file.ends_with(".textproto") ||
         name_or_file.ends_with(".json");
}

config::Cluster load_cluster(const config::Catalog& catalog, const std::string& name_or_file) {
  config::Cluster cluster;
  if (!is_cluster_file(name_or_file)) {
    cluster = catalog.cluster(name_or_file, Origin{});
    if (cluster.name().empty()) cluster.set_name(name_or_file);
    return cluster;
  }
  // "file.textproto:pool" names one pool of the cluster in that file.
  auto [path, pool] = config::split_pool_name(name_or_file);
  std::error_code error;
  if (pool.find('/') != std::string::npos || std::filesystem::exists(name_or_file, error)) {
    path = name_or_file;
    pool.clear();
  }
  auto file = config::LoadedFile::parse(path, &cluster);
  if (cluster.name().empty()) cluster.set_name(path);
  if (path != name_or_file)
    return config::pool_cluster(catalog.cluster_lookup(), cluster, pool, file);
  return cluster;
}

config::Cluster cluster_for(const config::Catalog& catalog, const std::string& cluster_name,
                            const std::string& chip, int devices) {
  config::Cluster cluster;
  if (!cluster_name.empty()) {
    cluster = catalog.cluster(cluster_name, Origin{});
    if (cluster.name().empty()) cluster.set_name(cluster_name);
    if (!chip.empty() && chip != cluster.node().chip()) {
      throw_input_error(Origin{}, "--chip",
                        fmt::format("\"{}\" conflicts with --cluster {}, a cluster of {}; give "
                                    "one of them",
                                    chip, cluster_name, cluster.node().chip()));
    }
  } else {
    if (chip.empty()) {
      throw_input_error(Origin{}, "--chip", "give --chip or --cluster");
    }
    catalog.chip(chip, Origin{});  // an unknown chip names the ones that exist
    auto found = catalog.cluster_of_chip(chip);
    if (found) {
      cluster = std::move(*found);
    } else {
      throw_input_error(
          Origin{}, "--chip",
          fmt::format("no catalog cluster is built from chip \"{}\"; pass --cluster", chip));
    }
  }
  int per_node = std::max(1, cluster.node().devices_per_node());
  if (devices > 0) cluster.set_nodes((devices + per_node - 1) / per_node);
  return cluster;
}

}  // namespace kcsim::cli

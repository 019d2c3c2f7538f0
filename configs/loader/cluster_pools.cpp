#include "configs/loader/cluster_pools.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim::config {
namespace {

std::string field(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// Pool names join a cluster's name in job and report names: the characters of a catalog key.
bool is_pool_name(const std::string& name) {
  constexpr size_t kMaxLength = 64;
  return !name.empty() && name.size() <= kMaxLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
                  c == '+';
         });
}

void check_pools(const Cluster& cluster, const LoadedFile& file, const std::string& path) {
  auto at = [&](const std::string& name) { return file.locate(field(path, name)); };
  if (cluster.has_node() || cluster.has_nodes()) {
    std::string given = cluster.has_node() ? "node" : "nodes";
    throw_input_error(at(given), given,
                      "a cluster of pools gives each pool its servers; drop `node` and `nodes`");
  }
  if (cluster.scale_out().kind() != "fat-tree") {
    throw_input_error(at("scale_out.kind"), "scale_out.kind",
                      fmt::format("pools are joined by a fat-tree (each pool on leaves of its "
                                  "own); \"{}\" needs one kind of server",
                                  cluster.scale_out().kind()));
  }
  std::set<std::string> seen;
  for (int i = 0; i < cluster.pools_size(); ++i) {
    const Pool& pool = cluster.pools(i);
    std::string p = fmt::format("pools[{}]", i);
    if (!is_pool_name(pool.name())) {
      throw_input_error(at(p + ".name"), p + ".name",
                        fmt::format("\"{}\" is not a pool name (1 to 64 letters, digits, '.', "
                                    "'_', '-' or '+')",
                                    pool.name()));
    }
    if (!seen.insert(pool.name()).second) {
      throw_input_error(at(p + ".name"), p + ".name",
                        fmt::format("a second pool named \"{}\"", pool.name()));
    }
    if (pool.has_servers() == pool.has_node()) {
      throw_input_error(at(p), p + ".servers",
                        "give the pool's server as `servers` (a catalog cluster) or as `node`, "
                        "not both or neither");
    }
    if (pool.servers().find(kPoolSeparator) != std::string::npos) {
      throw_input_error(at(p + ".servers"), p + ".servers",
                        fmt::format("\"{}\" names a pool; `servers` names a catalog cluster of "
                                    "one kind of server",
                                    pool.servers()));
    }
    if (!pool.has_nodes()) {
      throw_input_error(at(p), p + ".nodes", "how many servers the pool has");
    }
  }
}

}  // namespace

std::pair<std::string, std::string> split_pool_name(const std::string& name) {
  auto colon = name.rfind(kPoolSeparator);
  if (colon == std::string::npos) return {name, ""};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

std::vector<std::string> pool_names(const Cluster& cluster) {
  std::vector<std::string> names;
  for (const auto& pool : cluster.pools()) names.push_back(pool.name());
  return names;
}

Cluster pool_cluster(const ClusterLookup& catalog, const Cluster& cluster, const std::string& pool,
                     const LoadedFile& file, const std::string& path) {
  if (cluster.pools_size() == 0) {
    throw_input_error(file.locate(path), "pools",
                      fmt::format("cluster \"{}\" has no pools; it has one kind of server, named "
                                  "without \"{}{}\"",
                                  cluster.name(), kPoolSeparator, pool));
  }
  check_pools(cluster, file, path);
  auto found = std::find_if(cluster.pools().begin(), cluster.pools().end(),
                            [&](const Pool& p) { return p.name() == pool; });
  if (found == cluster.pools().end()) {
    throw_input_error(file.locate(field(path, "pools")), "pools",
                      fmt::format("cluster \"{}\" has no pool \"{}\"; its pools: {}",
                                  cluster.name(), pool, fmt::join(pool_names(cluster), ", ")));
  }
  int index = static_cast<int>(found - cluster.pools().begin());
  std::string p = field(path, fmt::format("pools[{}]", index));

  Cluster one = cluster;
  one.clear_pools();
  one.set_name(fmt::format("{}{}{}", cluster.name(), kPoolSeparator, pool));
  one.set_nodes(found->nodes());
  double nic_gbit_per_s = cluster.scale_out().nic_bandwidth_gbit_per_s();
  if (found->has_servers()) {
    Cluster servers = catalog(found->servers(), file.locate(p + ".servers"));
    if (servers.pools_size() > 0) {
      throw_input_error(file.locate(p + ".servers"), p + ".servers",
                        fmt::format("\"{}\" is a cluster of pools; name one of its pools' "
                                    "catalog clusters",
                                    found->servers()));
    }
    *one.mutable_node() = servers.node();
    if (servers.scale_out().has_nic_bandwidth_gbit_per_s()) {
      nic_gbit_per_s = servers.scale_out().nic_bandwidth_gbit_per_s();
    }
  } else {
    *one.mutable_node() = found->node();
  }
  if (found->has_nic_bandwidth_gbit_per_s()) nic_gbit_per_s = found->nic_bandwidth_gbit_per_s();
  one.mutable_scale_out()->set_nic_bandwidth_gbit_per_s(nic_gbit_per_s);
  *one.mutable_mixed() = cluster;
  one.mutable_mixed()->clear_mixed();
  return one;
}

Cluster sibling_pool(const ClusterLookup& catalog, const Cluster& pool, const std::string& sibling,
                     const Origin& where) {
  if (!pool.has_mixed()) {
    throw_input_error(where, "pool",
                      fmt::format("cluster \"{}\" is not a pool of a cluster of several kinds of "
                                  "server, so it has no pool \"{}\" beside it; run the job on "
                                  "one, named as \"cluster{}pool\"",
                                  pool.name(), sibling, kPoolSeparator));
  }
  const Cluster& mixed = pool.mixed();
  if (std::none_of(mixed.pools().begin(), mixed.pools().end(),
                   [&](const Pool& p) { return p.name() == sibling; })) {
    throw_input_error(where, "pool",
                      fmt::format("cluster \"{}\" has no pool \"{}\"; its pools: {}", mixed.name(),
                                  sibling, fmt::join(pool_names(mixed), ", ")));
  }
  return pool_cluster(catalog, mixed, sibling,
                      LoadedFile::unlocated(mixed.name(), Cluster::descriptor()));
}

std::vector<Cluster> pool_clusters(const ClusterLookup& catalog, const Cluster& cluster,
                                   const LoadedFile& file, const std::string& path) {
  std::vector<Cluster> pools;
  for (const auto& pool : cluster.pools()) {
    pools.push_back(pool_cluster(catalog, cluster, pool.name(), file, path));
  }
  return pools;
}

}  // namespace kcsim::config

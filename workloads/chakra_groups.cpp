#include "workloads/chakra_groups.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {
namespace {

// Where a rank sits on the network's levels: its slot in its server, its server's place under
// its leaf switch (the servers one leaf joins: a scalable unit), and that leaf's index.
struct Place {
  int slot, server_in_leaf, leaf;
};

Place place_of(int rank, int per_node, int servers_per_leaf) {
  int server = rank / per_node;
  return {rank % per_node, server % servers_per_leaf, server / servers_per_leaf};
}

// The ranks of `rank`'s group over the network dimensions marked in `dims`, as ASTRA-sim's
// multi-dimensional networks number them: dimension 0 inside a server, 1 the servers under one
// leaf, 2 (and any above) beyond the leaf. A member differs from `rank` only on marked levels.
// With every server under one leaf there is no dimension 2: dimensions from 1 up all join the
// servers.
std::vector<int> members_over_dims(const std::vector<bool>& dims, int rank, int ranks, int per_node,
                                   int servers_per_leaf) {
  auto marked = [&](size_t from, size_t to) {
    for (size_t d = from; d < std::min(to, dims.size()); ++d) {
      if (dims[d]) return true;
    }
    return false;
  };
  int servers = (ranks + per_node - 1) / per_node;
  bool one_leaf = servers_per_leaf <= 0 || servers_per_leaf >= servers;
  int per_leaf = one_leaf ? servers : servers_per_leaf;
  bool over_slot = marked(0, 1);
  bool over_server = one_leaf ? marked(1, dims.size()) : marked(1, 2);
  bool over_leaf = one_leaf ? true : marked(2, dims.size());
  Place mine = place_of(rank, per_node, per_leaf);
  std::vector<int> members;
  for (int other = 0; other < ranks; ++other) {
    Place theirs = place_of(other, per_node, per_leaf);
    if ((over_slot || theirs.slot == mine.slot) &&
        (over_server || theirs.server_in_leaf == mine.server_in_leaf) &&
        (over_leaf || theirs.leaf == mine.leaf)) {
      members.push_back(other);
    }
  }
  return members;
}

std::string dims_text(const std::vector<bool>& dims) {
  std::string text;
  for (bool d : dims) text += d ? '1' : '0';
  return text;
}

}  // namespace

ChakraGroups resolve_chakra_groups(const std::vector<ChakraTrace>& traces, int devices_per_node,
                                   int servers_per_leaf) {
  const int ranks = static_cast<int>(traces.size());
  const int per_node = std::max(1, devices_per_node);
  ChakraGroups out;
  out.of_node.resize(ranks);
  std::map<std::string, int> index;  // key -> group
  // Process groups are known only once every trace has been read: their members first.
  std::map<std::string, std::vector<int>> pg_members;
  for (const auto& trace : traces) {
    for (const auto& node : trace.nodes) {
      if (node.type() != chakra::COMM_COLL_NODE) continue;
      if (auto pg = chakra_string_attribute(node, "pg_name"); pg && !pg->empty()) {
        auto& members = pg_members["pg " + *pg];
        if (members.empty() || members.back() != trace.rank) members.push_back(trace.rank);
      }
    }
  }
  auto group_index = [&](const std::string& key, std::vector<int> members) {
    auto [it, added] = index.emplace(key, static_cast<int>(out.groups.size()));
    if (added) {
      std::sort(members.begin(), members.end());
      int first_server = members.front() / per_node;
      int on_first = static_cast<int>(std::count_if(
          members.begin(), members.end(), [&](int r) { return r / per_node == first_server; }));
      out.groups.push_back({key, std::move(members), on_first});
    }
    return it->second;
  };

  // How many collectives each rank runs in each group, and where the first one is.
  std::map<std::pair<int, int>, int> counts;  // (group, rank) -> collectives
  std::map<std::pair<int, int>, uint64_t> first_node;
  for (const auto& trace : traces) {
    for (const auto& node : trace.nodes) {
      if (node.type() != chakra::COMM_COLL_NODE) continue;
      int group;
      if (auto pg = chakra_string_attribute(node, "pg_name"); pg && !pg->empty()) {
        std::string key = "pg " + *pg;
        group = group_index(key, pg_members.at(key));
      } else if (auto dims = chakra_bool_list_attribute(node, "involved_dim")) {
        auto members = members_over_dims(*dims, trace.rank, ranks, per_node, servers_per_leaf);
        std::string key =
            static_cast<int>(members.size()) == ranks
                ? "all ranks"
                : fmt::format("dims {} from rank {}", dims_text(*dims), members.front());
        group = group_index(key, members);
      } else {
        std::vector<int> all(ranks);
        for (int r = 0; r < ranks; ++r) all[r] = r;
        group = group_index("all ranks", std::move(all));
      }
      out.of_node[trace.rank][node.id()] = group;
      if (counts[{group, trace.rank}]++ == 0) first_node[{group, trace.rank}] = node.id();
    }
  }
  for (size_t g = 0; g < out.groups.size(); ++g) {
    const auto& group = out.groups[g];
    int expected = counts[{static_cast<int>(g), group.members.front()}];
    for (int member : group.members) {
      int count = counts[{static_cast<int>(g), member}];
      if (count != expected) {
        const auto& trace = traces[member];
        auto node = first_node.count({static_cast<int>(g), member})
                        ? fmt::format("node {}", first_node[{static_cast<int>(g), member}])
                        : std::string("no node");
        throw InputError(fmt::format(
            "{}: rank {}: {}: {} collective(s) in group '{}', but rank {} runs {}: the group "
            "would wait forever",
            trace.file, member, node, count, group.key, group.members.front(), expected));
      }
    }
  }
  return out;
}

}  // namespace kcsim

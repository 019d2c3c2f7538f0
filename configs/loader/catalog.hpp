// The catalogs under configs/: chips, models, clusters, scenarios, validation cases, looked up
// by name (the file name without .textproto).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chip.pb.h"
#include "cluster.pb.h"
#include "configs/loader/cluster_pools.hpp"
#include "configs/loader/errors.hpp"
#include "model.pb.h"
#include "workload.pb.h"

namespace kcsim::config {

// A catalog file as it was when an entry was read from it.
struct FileStamp {
  std::filesystem::path path;
  long long modified_ns = -1, size = -1;  // -1: the file was not there
  bool operator==(const FileStamp&) const = default;
};
FileStamp stamp_of(const std::filesystem::path& path);

class Catalog {
 public:
  explicit Catalog(std::filesystem::path root);
  // $KCSIM_CONFIG_DIR when set, else the configs/ folder of the source tree kcsim was built from.
  static std::filesystem::path default_root();
  // The catalog at `root` with one cache for the whole process: every call of a process that
  // runs many (the Python module) reads each file once, and again only when it has changed.
  static Catalog shared(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }

  // Each throws InputError at `where` naming the entries that exist when `name` is unknown.
  Chip chip(const std::string& name, const Origin& where = {}) const;
  // The same entry without a copy: the catalog's own, shared and never changed.
  std::shared_ptr<const Chip> chip_entry(const std::string& name, const Origin& where = {}) const;
  Model model(const std::string& name, const Origin& where = {}) const;
  // "cluster:pool" gives one pool of a cluster of several kinds of server as a cluster of its
  // own (cluster_pools.hpp).
  Cluster cluster(const std::string& name, const Origin& where = {}) const;
  // cluster() as a function, for what looks clusters up without a catalog of its own; it
  // refers to this catalog, which must outlive it.
  ClusterLookup cluster_lookup() const {
    return [this](const std::string& name, const Origin& where) { return cluster(name, where); };
  }
  // A runtime profile (configs/runtimes/): the software stack that issues the work.
  Runtime runtime(const std::string& name, const Origin& where = {}) const;

  // A copy that takes each file as it is now, without checking it again at each lookup: for a
  // run whose inputs stay fixed while it lasts (a sweep hashes every catalog file when it
  // starts). It shares this catalog's cache, from which it first drops what has changed.
  Catalog fixed() const;

  // A copy of this catalog that takes `chip` for the chip entry `name` instead of its file (the
  // figures a fit tries); chips that name it as their base see it too. The copy has a cache of
  // its own.
  Catalog with_chip(const std::string& name, const Chip& chip) const;
  // The chip that stands in for entry `name`'s file, if any.
  const Chip* chip_override(const std::string& name) const;
  // The chip at the root of `name`'s chain of base chips: the entry whose file holds the figures
  // its board variants share (`name` itself when it names no base).
  std::string chip_root(const std::string& name, const Origin& where = {}) const;

  // Sorted entry names of a catalog folder ("chips", "models", "clusters", ...).
  std::vector<std::string> names(const std::string& folder) const;
  // Sorted files of a catalog folder.
  std::vector<std::filesystem::path> files(const std::string& folder) const;
  // The first cluster (by name) whose servers hold `chip`, with its name set; none: nullopt.
  std::optional<Cluster> cluster_of_chip(const std::string& chip) const;

 private:
  // An entry already read, with every file it was made from (a chip's chain of base chips, a
  // pool's cluster): it is read again when one of them has changed since.
  struct CachedEntry {
    std::shared_ptr<const google::protobuf::Message> message;
    std::string chip_root;
    std::vector<FileStamp> files;
  };
  // Entries already read, by folder and name: a sweep, or a Python loop of calls in one
  // process (shared()), looks the same few up thousands of times. Copies of a catalog share it.
  struct Cache {
    std::mutex mutex;
    std::map<std::string, CachedEntry> entries;
    std::map<std::string, CachedEntry> chip_roots;
    // Folder listings, each with its folder as it was (adding or removing a file changes it).
    std::map<std::string, std::pair<FileStamp, std::vector<std::filesystem::path>>> listings;
  };
  // The cached entry under `key` of `map` if its files are unchanged; counts its files as read.
  const CachedEntry* fresh_entry(const std::map<std::string, CachedEntry>& map,
                                 const std::string& key) const;
  void store(std::map<std::string, CachedEntry>& map, const std::string& key,
             CachedEntry entry) const;
  template <class Msg>
  std::shared_ptr<const Msg> load(const std::string& folder, const std::string& name,
                                  const Origin& where, const char* what) const;

  std::filesystem::path root_;
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
  std::shared_ptr<const std::map<std::string, Chip>> chip_overrides_;
  bool check_files_ = true;  // whether a cached entry's files are checked at each lookup
};

// A catalog chip with a scenario's overrides applied: scalar fields replace, a peak replaces
// the one of the same dtype, a DVFS list replaces the whole list.
Chip merge_chip(const Chip& base, const Chip& overrides);
// A catalog model with overrides applied. Changing the shape drops the published size.
Model merge_model(const Model& base, const Model& overrides);

}  // namespace kcsim::config

#include "configs/loader/catalog.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "configs/loader/text_loader.hpp"

namespace kcsim::config {
namespace {

constexpr const char* kExtension = ".textproto";

// The files read for the entries being loaded in this thread, innermost last: each load()
// collects those of its entry, and hands them on to the load that asked for it (a pool's cluster
// reads the cluster it names through the catalog).
thread_local std::vector<std::vector<FileStamp>*> files_being_read;

void note_files_read(const std::vector<FileStamp>& files) {
  if (files_being_read.empty()) return;
  auto& into = *files_being_read.back();
  into.insert(into.end(), files.begin(), files.end());
}

// Whether every file is as it was stamped.
bool unchanged(const std::vector<FileStamp>& files) {
  return std::all_of(files.begin(), files.end(),
                     [](const FileStamp& file) { return stamp_of(file.path) == file; });
}

// Collects the files read while it lives.
class ReadingFiles {
 public:
  ReadingFiles() { files_being_read.push_back(&files_); }
  ~ReadingFiles() { files_being_read.pop_back(); }
  ReadingFiles(const ReadingFiles&) = delete;
  ReadingFiles& operator=(const ReadingFiles&) = delete;
  std::vector<FileStamp> take() { return std::move(files_); }

 private:
  std::vector<FileStamp> files_;
};

// Catalog keys are file names in one folder: letters, digits, '.', '_', '-' and '+', not
// starting with '.', so that no name reaches outside its folder.
bool is_catalog_key(const std::string& name) {
  constexpr size_t kMaxKeyLength = 128;
  if (name.empty() || name.size() > kMaxKeyLength || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '+';
  });
}

std::filesystem::path entry_path(const Catalog& catalog, const std::string& folder,
                                 const std::string& name, const Origin& where, const char* what) {
  if (!is_catalog_key(name)) {
    throw_input_error(
        where, what,
        fmt::format("\"{}\" is not a catalog name (at most 128 letters, digits, "
                    "'.', '_', '-' or '+'); the catalog {} has: {}",
                    name.size() > 64 ? name.substr(0, 64) + "..." : name,
                    (catalog.root() / folder).string(), fmt::join(catalog.names(folder), ", ")));
  }
  auto path = catalog.root() / folder / (name + kExtension);
  FileStamp stamp = stamp_of(path);
  note_files_read({stamp});
  std::error_code error;
  if (stamp.size < 0 || !std::filesystem::is_regular_file(path, error)) {
    auto known = catalog.names(folder);
    throw_input_error(where, what,
                      fmt::format("unknown {} \"{}\"; the catalog {} has: {}", what, name,
                                  (catalog.root() / folder).string(), fmt::join(known, ", ")));
  }
  return path;
}

template <class Msg>
Msg load_entry(const Catalog& catalog, const std::string& folder, const std::string& name,
               const Origin& where, const char* what) {
  Msg message;
  LoadedFile::parse(entry_path(catalog, folder, name, where, what), &message);
  return message;
}

// One entry of a chip's chain of base chips: its name and its fields as its file gives them.
struct ChainLink {
  std::string name;
  Chip entry;
};

// The chip `name`, then the chip it names as its base, and so on to a chip with no base.
std::vector<ChainLink> chip_chain(const Catalog& catalog, const std::string& name,
                                  const Origin& where) {
  constexpr int kMaxDepth = 8;
  std::vector<ChainLink> chain;
  std::string next = name;
  Origin at = where;
  for (int depth = 0;; ++depth) {
    Chip entry;
    LoadedFile file = LoadedFile::unlocated(next, Chip::descriptor());
    if (const Chip* replacement = catalog.chip_override(next)) {
      entry = *replacement;
    } else {
      file = LoadedFile::parse(entry_path(catalog, "chips", next, at, "chip"), &entry);
    }
    chain.push_back({next, std::move(entry)});
    const Chip& added = chain.back().entry;
    if (!added.has_base()) return chain;
    at = file.locate("base");
    if (depth + 1 >= kMaxDepth || added.base() == name) {
      throw_input_error(at, "base",
                        fmt::format("chip \"{}\": its chain of base chips loops or runs deeper "
                                    "than {}",
                                    name, kMaxDepth));
    }
    next = added.base();
  }
}

// A chip variant names the chip it is a board of: that entry first, this file's fields over it.
template <>
Chip load_entry<Chip>(const Catalog& catalog, const std::string&, const std::string& name,
                      const Origin& where, const char*) {
  std::vector<ChainLink> chain = chip_chain(catalog, name, where);
  Chip merged = chain.back().entry;
  for (auto it = chain.rbegin() + 1; it != chain.rend(); ++it) {
    merged = merge_chip(merged, it->entry);
  }
  merged.clear_base();
  merged.set_name(chain.front().entry.has_name() ? chain.front().entry.name() : name);
  return merged;
}

// "cluster:pool" names one pool of a cluster of several kinds of server, as a cluster of its
// own (cluster_pools.hpp); errors point into the cluster's file.
template <>
Cluster load_entry<Cluster>(const Catalog& catalog, const std::string& folder,
                            const std::string& name, const Origin& where, const char* what) {
  auto [cluster_name, pool] = split_pool_name(name);
  Cluster cluster;
  LoadedFile file =
      LoadedFile::parse(entry_path(catalog, folder, cluster_name, where, what), &cluster);
  if (name.find(kPoolSeparator) == std::string::npos) return cluster;
  if (cluster.name().empty()) cluster.set_name(cluster_name);
  return pool_cluster(catalog.cluster_lookup(), cluster, pool, file);
}

}  // namespace

Catalog::Catalog(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path Catalog::default_root() {
  if (const char* env = std::getenv("KCSIM_CONFIG_DIR"); env && *env) return env;
  return KCSIM_DEFAULT_CONFIG_DIR;
}

FileStamp stamp_of(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return {path, -1, -1};
  constexpr long long kNsPerS = 1'000'000'000;
  return {path, status.st_mtim.tv_sec * kNsPerS + status.st_mtim.tv_nsec,
          static_cast<long long>(status.st_size)};
}

Catalog Catalog::shared(const std::filesystem::path& root) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, Catalog> catalogs;
  std::error_code error;
  std::filesystem::path key = std::filesystem::absolute(root, error).lexically_normal();
  std::lock_guard lock(mutex);
  auto it = catalogs.find(key);
  if (it == catalogs.end()) it = catalogs.emplace(key, Catalog(root)).first;
  Catalog copy = it->second;
  copy.root_ = root;  // as given, for the messages that name it
  return copy;
}

const Catalog::CachedEntry* Catalog::fresh_entry(const std::map<std::string, CachedEntry>& map,
                                                 const std::string& key) const {
  auto it = map.find(key);
  if (it == map.end()) return nullptr;
  if (check_files_ && !unchanged(it->second.files)) return nullptr;
  note_files_read(it->second.files);
  return &it->second;
}

void Catalog::store(std::map<std::string, CachedEntry>& map, const std::string& key,
                    CachedEntry entry) const {
  note_files_read(entry.files);
  map.insert_or_assign(key, std::move(entry));
}

template <class Msg>
std::shared_ptr<const Msg> Catalog::load(const std::string& folder, const std::string& name,
                                         const Origin& where, const char* what) const {
  std::string key = folder + "/" + name;
  {
    std::lock_guard lock(cache_->mutex);
    if (const CachedEntry* entry = fresh_entry(cache_->entries, key)) {
      return std::static_pointer_cast<const Msg>(entry->message);
    }
  }
  CachedEntry entry;
  {
    ReadingFiles reading;
    entry.message = std::make_shared<const Msg>(load_entry<Msg>(*this, folder, name, where, what));
    entry.files = reading.take();
  }
  auto message = std::static_pointer_cast<const Msg>(entry.message);
  std::lock_guard lock(cache_->mutex);
  store(cache_->entries, key, std::move(entry));
  return message;
}

Catalog Catalog::fixed() const {
  // What the cache holds of files changed since is dropped first: the copy trusts the rest.
  {
    std::lock_guard lock(cache_->mutex);
    std::erase_if(cache_->entries, [](const auto& e) { return !unchanged(e.second.files); });
    std::erase_if(cache_->chip_roots, [](const auto& e) { return !unchanged(e.second.files); });
    std::erase_if(cache_->listings, [&](const auto& e) {
      return !(stamp_of(root_ / e.first) == e.second.first);
    });
  }
  Catalog copy = *this;
  copy.check_files_ = false;
  return copy;
}

Catalog Catalog::with_chip(const std::string& name, const Chip& chip) const {
  Catalog copy(root_);
  auto overrides = chip_overrides_ ? std::make_shared<std::map<std::string, Chip>>(*chip_overrides_)
                                   : std::make_shared<std::map<std::string, Chip>>();
  (*overrides)[name] = chip;
  copy.chip_overrides_ = std::move(overrides);
  copy.check_files_ = check_files_;
  return copy;
}

std::string Catalog::chip_root(const std::string& name, const Origin& where) const {
  {
    std::lock_guard lock(cache_->mutex);
    if (const CachedEntry* entry = fresh_entry(cache_->chip_roots, name)) return entry->chip_root;
  }
  CachedEntry entry;
  {
    ReadingFiles reading;
    entry.chip_root = chip_chain(*this, name, where).back().name;
    entry.files = reading.take();
  }
  std::string root = entry.chip_root;
  std::lock_guard lock(cache_->mutex);
  store(cache_->chip_roots, name, std::move(entry));
  return root;
}

const Chip* Catalog::chip_override(const std::string& name) const {
  if (!chip_overrides_) return nullptr;
  auto it = chip_overrides_->find(name);
  return it == chip_overrides_->end() ? nullptr : &it->second;
}

Chip Catalog::chip(const std::string& name, const Origin& where) const {
  return *load<Chip>("chips", name, where, "chip");
}

std::shared_ptr<const Chip> Catalog::chip_entry(const std::string& name,
                                                const Origin& where) const {
  return load<Chip>("chips", name, where, "chip");
}

Model Catalog::model(const std::string& name, const Origin& where) const {
  return *load<Model>("models", name, where, "model");
}

Cluster Catalog::cluster(const std::string& name, const Origin& where) const {
  return *load<Cluster>("clusters", name, where, "cluster");
}

Runtime Catalog::runtime(const std::string& name, const Origin& where) const {
  return *load<Runtime>("runtimes", name, where, "runtime");
}

std::vector<std::filesystem::path> Catalog::files(const std::string& folder) const {
  {
    std::lock_guard lock(cache_->mutex);
    auto it = cache_->listings.find(folder);
    if (it != cache_->listings.end() && !check_files_) return it->second.second;
  }
  FileStamp stamp = stamp_of(root_ / folder);
  {
    std::lock_guard lock(cache_->mutex);
    auto it = cache_->listings.find(folder);
    if (it != cache_->listings.end() && it->second.first == stamp) return it->second.second;
  }
  std::vector<std::filesystem::path> result;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root_ / folder, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == kExtension) {
      result.push_back(entry.path());
    }
  }
  std::sort(result.begin(), result.end());
  std::lock_guard lock(cache_->mutex);
  cache_->listings.insert_or_assign(folder, std::make_pair(stamp, result));
  return result;
}

std::optional<Cluster> Catalog::cluster_of_chip(const std::string& chip) const {
  for (const auto& name : names("clusters")) {
    auto candidate = load<Cluster>("clusters", name, Origin{}, "cluster");
    if (candidate->node().chip() != chip) continue;
    Cluster cluster = *candidate;
    if (cluster.name().empty()) cluster.set_name(name);
    return cluster;
  }
  return std::nullopt;
}

std::vector<std::string> Catalog::names(const std::string& folder) const {
  std::vector<std::string> result;
  for (const auto& path : files(folder)) result.push_back(path.stem().string());
  return result;
}

Chip merge_chip(const Chip& base, const Chip& overrides) {
  Chip merged = base;
  Chip rest = overrides;
  rest.clear_peak();
  if (rest.has_power() && rest.power().dvfs_size() > 0) merged.mutable_power()->clear_dvfs();
  merged.MergeFrom(rest);
  for (const auto& peak : overrides.peak()) {
    auto existing = std::find_if(merged.mutable_peak()->begin(), merged.mutable_peak()->end(),
                                 [&](const DtypePeak& p) { return p.dtype() == peak.dtype(); });
    if (existing != merged.mutable_peak()->end()) {
      existing->MergeFrom(peak);
    } else {
      *merged.add_peak() = peak;
    }
  }
  return merged;
}

Model merge_model(const Model& base, const Model& overrides) {
  Model merged = base;
  merged.MergeFrom(overrides);
  bool shape_changed = overrides.has_layers() || overrides.has_hidden() || overrides.has_heads() ||
                       overrides.has_kv_heads() || overrides.has_head_dim() ||
                       overrides.has_ffn_hidden() || overrides.has_vocab() ||
                       overrides.has_experts() || overrides.has_mlp();
  if (shape_changed && !overrides.has_published_params_b()) merged.clear_published_params_b();
  return merged;
}

}  // namespace kcsim::config

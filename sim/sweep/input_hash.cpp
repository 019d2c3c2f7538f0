#include "sim/sweep/input_hash.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <google/protobuf/text_format.h>

namespace kcsim::sweep {
namespace {

namespace fs = std::filesystem;

// The file's bytes; empty when it cannot be read (a file that vanishes changes the hash too).
std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  return text.str();
}

// Every .textproto file under the catalog root, sorted, with its path relative to the root.
std::vector<fs::path> catalog_files(const fs::path& root) {
  std::vector<fs::path> files;
  std::error_code ec;
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".textproto" && it->is_regular_file(ec)) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

ContentHash& ContentHash::add(std::string_view part) {
  auto mix = [&](unsigned char c) {
    hash_ ^= c;
    hash_ *= 1099511628211ULL;
  };
  // The length first, so that parts cannot run into each other.
  uint64_t size = part.size();
  for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(size >> (8 * i)));
  for (unsigned char c : part) mix(c);
  return *this;
}

std::string ContentHash::hex() const { return fmt::format("{:016x}", hash_); }

std::string kcsim_version() { return "kcsim " KCSIM_VERSION; }

InputHasher::InputHasher(const SweepPlan& plan, const config::Catalog& catalog)
    : plan_(plan), folder_(fs::path(plan.file).parent_path()) {
  ContentHash hash;
  hash.add(kcsim_version()).add(plan.text);
  files_.push_back(plan.file);
  if (!plan.base_file.empty()) {
    files_.push_back(plan.base_file);
    base_folder_ = fs::path(plan.base_file).parent_path();
  }
  for (const auto& file : catalog_files(catalog.root())) {
    hash.add(fs::relative(file, catalog.root()).generic_string()).add(contents(file));
    files_.push_back(file);
  }
  shared_ = hash.hex();
  if (plan.base.has_serving() && !plan.base.serving().load().trace().empty()) {
    files_.push_back(plan.base.serving().load().trace());
  }
}

std::string InputHasher::trace_hash(const std::string& trace) const {
  auto it = traces_.find(trace);
  if (it != traces_.end()) return it->second;
  // Relative paths resolve against the working folder or the sweep's own folders: every file
  // the path may name counts.
  ContentHash hash;
  std::vector<fs::path> candidates = {trace};
  if (fs::path(trace).is_relative()) {
    candidates.push_back(folder_ / trace);
    if (!base_folder_.empty()) candidates.push_back(base_folder_ / trace);
  }
  std::error_code ec;
  for (const auto& path : candidates) {
    if (fs::is_regular_file(path, ec)) hash.add(path.string()).add(contents(path));
  }
  return traces_[trace] = hash.hex();
}

std::string InputHasher::point(const config::Scenario& scenario) const {
  std::string text;
  google::protobuf::TextFormat::PrintToString(scenario, &text);
  ContentHash hash;
  hash.add(shared_).add(text);
  if (scenario.has_serving() && !scenario.serving().load().trace().empty()) {
    hash.add(trace_hash(scenario.serving().load().trace()));
  }
  return hash.hex();
}

std::string InputHasher::point(size_t index) const {
  try {
    return point(plan_.scenario_of(index));
  } catch (const std::exception& e) {
    // A point whose values do not apply has no scenario: its inputs are the plan's and what
    // went wrong.
    return ContentHash().add(shared_).add(fmt::format("point {}: {}", index, e.what())).hex();
  }
}

}  // namespace kcsim::sweep

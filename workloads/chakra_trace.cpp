#include "workloads/chakra_trace.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "configs/loader/text_files.hpp"

namespace kcsim {
namespace {

namespace pbio = google::protobuf::io;

[[noreturn]] void fail(const ChakraTrace& trace, const std::string& what) {
  throw InputError(fmt::format("{}: rank {}: {}", trace.file, trace.rank, what));
}

// Reads one length-delimited message that must be there.
void read_delimited(pbio::CodedInputStream& in, google::protobuf::Message* message,
                    const ChakraTrace& trace, const std::string& what) {
  uint32_t size = 0;
  if (!in.ReadVarint32(&size))
    fail(trace, fmt::format("truncated stream: {} length cut off", what));
  auto limit = in.PushLimit(static_cast<int>(size));
  if (!message->ParseFromCodedStream(&in) || in.BytesUntilLimit() != 0) {
    fail(trace, fmt::format("truncated or malformed {} ({} bytes announced)", what, size));
  }
  in.PopLimit(limit);
}

bool known_type(chakra::NodeType type) {
  return chakra::NodeType_IsValid(type) && type != chakra::INVALID_NODE;
}

// The highest RANK of the PREFIX.RANK.et files beside `prefix`; -1 when there is none.
int last_rank_file(const std::string& prefix) {
  std::filesystem::path path(prefix);
  std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  std::string stem = path.filename().string() + ".";
  int last = -1;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= stem.size() + 3 || name.compare(0, stem.size(), stem) != 0 ||
        name.compare(name.size() - 3, 3, ".et") != 0) {
      continue;
    }
    std::string digits = name.substr(stem.size(), name.size() - stem.size() - 3);
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    last = std::max(last, std::stoi(digits));
  }
  return last;
}

}  // namespace

ChakraTrace read_chakra_file(const std::filesystem::path& file, int rank) {
  ChakraTrace trace;
  trace.rank = rank;
  trace.file = file.string();
  std::ifstream stream = config::open_input_file(file);
  std::error_code error;
  if (auto size = std::filesystem::file_size(file, error); !error && size > kMaxChakraFileBytes) {
    fail(trace, fmt::format("{} bytes; at most {} are read", size, kMaxChakraFileBytes));
  }
  std::ostringstream bytes;
  bytes << stream.rdbuf();
  std::string data = bytes.str();

  pbio::ArrayInputStream array(data.data(), static_cast<int>(data.size()));
  pbio::CodedInputStream in(&array);
  in.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (data.empty()) fail(trace, "empty stream: no metadata");
  read_delimited(in, &trace.metadata, trace, "metadata");
  while (in.CurrentPosition() < static_cast<int>(data.size())) {
    chakra::Node node;
    std::string what = trace.nodes.empty()
                           ? std::string("first node")
                           : fmt::format("node after node {}", trace.nodes.back().id());
    read_delimited(in, &node, trace, what);
    trace.nodes.push_back(std::move(node));
  }
  check_chakra_graph(trace);
  return trace;
}

std::vector<ChakraTrace> read_chakra_traces(const std::string& prefix) {
  std::vector<ChakraTrace> traces;
  for (int rank = 0;; ++rank) {
    std::filesystem::path file = fmt::format("{}.{}.et", prefix, rank);
    if (!std::filesystem::exists(file)) break;
    traces.push_back(read_chakra_file(file, rank));
  }
  if (traces.empty()) {
    throw InputError(
        fmt::format("{}.0.et: trace: no such file (a trace is PREFIX.RANK.et per rank)", prefix));
  }
  // A rank file past the first gap would otherwise be left out without a word.
  if (int last = last_rank_file(prefix); last >= static_cast<int>(traces.size())) {
    throw InputError(fmt::format(
        "{}.{}.et: trace: no such file, but {}.{}.et exists (a trace is PREFIX.RANK.et for every "
        "rank from 0)",
        prefix, traces.size(), prefix, last));
  }
  // Every file that states the trace's world size must state this one: a prefix that holds the
  // ranks of two exports (8 over an earlier 16) would otherwise replay as one wrong trace.
  for (const auto& trace : traces) {
    auto world = chakra_world_size(trace.metadata);
    if (world && *world != static_cast<int64_t>(traces.size())) {
      fail(trace, fmt::format("written for {} ranks, but the prefix {} holds {} rank files; "
                              "export the trace again into an empty prefix",
                              *world, prefix, traces.size()));
    }
  }
  return traces;
}

std::vector<std::string> remove_chakra_ranks_from(const std::string& prefix, int ranks) {
  std::vector<std::string> removed;
  for (int rank = ranks, last = last_rank_file(prefix); rank <= last; ++rank) {
    std::string file = fmt::format("{}.{}.et", prefix, rank);
    std::error_code error;
    if (std::filesystem::remove(file, error)) removed.push_back(file);
  }
  return removed;
}

void check_chakra_graph(const ChakraTrace& trace) {
  std::unordered_map<uint64_t, size_t> index;
  for (size_t i = 0; i < trace.nodes.size(); ++i) {
    const auto& node = trace.nodes[i];
    if (!known_type(node.type())) {
      fail(trace,
           fmt::format("node {}: unknown node type {}", node.id(), static_cast<int>(node.type())));
    }
    if (!index.emplace(node.id(), i).second)
      fail(trace, fmt::format("node {}: duplicate id", node.id()));
  }
  // Kahn's algorithm over data and control dependencies: what is left over lies on a cycle.
  std::vector<int> waiting(trace.nodes.size(), 0);
  std::vector<std::vector<size_t>> dependents(trace.nodes.size());
  for (size_t i = 0; i < trace.nodes.size(); ++i) {
    const auto& node = trace.nodes[i];
    for (const auto* deps : {&node.data_deps(), &node.ctrl_deps()}) {
      for (uint64_t dep : *deps) {
        auto it = index.find(dep);
        if (it == index.end()) {
          fail(trace, fmt::format("node {}: depends on node {}, which the trace does not have",
                                  node.id(), dep));
        }
        dependents[it->second].push_back(i);
        ++waiting[i];
      }
    }
  }
  std::vector<size_t> ready;
  for (size_t i = 0; i < waiting.size(); ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  size_t done = 0;
  while (!ready.empty()) {
    size_t i = ready.back();
    ready.pop_back();
    ++done;
    for (size_t j : dependents[i]) {
      if (--waiting[j] == 0) ready.push_back(j);
    }
  }
  if (done != trace.nodes.size()) {
    for (size_t i = 0; i < waiting.size(); ++i) {
      if (waiting[i] > 0) {
        fail(trace, fmt::format("node {}: lies on a dependency cycle", trace.nodes[i].id()));
      }
    }
  }
}

void write_chakra_file(const std::filesystem::path& file, const chakra::GlobalMetadata& metadata,
                       const std::vector<chakra::Node>& nodes) {
  std::string bytes;
  {
    pbio::StringOutputStream stream(&bytes);
    pbio::CodedOutputStream coded(&stream);
    auto write = [&](const google::protobuf::Message& message) {
      coded.WriteVarint32(static_cast<uint32_t>(message.ByteSizeLong()));
      message.SerializeWithCachedSizes(&coded);
    };
    write(metadata);
    for (const auto& node : nodes) write(node);
  }
  write_file_atomically({file, "--out"}, [&](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
}

namespace {

// The integer attribute `name` among `attrs`, from whichever integer (or bool) field carries it.
std::optional<int64_t> int_attribute(
    const google::protobuf::RepeatedPtrField<chakra::AttributeProto>& attrs,
    const std::string& name) {
  for (const auto& attr : attrs) {
    if (attr.name() != name) continue;
    switch (attr.value_case()) {
      case chakra::AttributeProto::kInt32Val:
        return attr.int32_val();
      case chakra::AttributeProto::kInt64Val:
        return attr.int64_val();
      case chakra::AttributeProto::kUint32Val:
        return attr.uint32_val();
      case chakra::AttributeProto::kUint64Val:
        return static_cast<int64_t>(attr.uint64_val());
      case chakra::AttributeProto::kSint32Val:
        return attr.sint32_val();
      case chakra::AttributeProto::kSint64Val:
        return attr.sint64_val();
      case chakra::AttributeProto::kFixed32Val:
        return attr.fixed32_val();
      case chakra::AttributeProto::kFixed64Val:
        return static_cast<int64_t>(attr.fixed64_val());
      case chakra::AttributeProto::kSfixed32Val:
        return attr.sfixed32_val();
      case chakra::AttributeProto::kSfixed64Val:
        return attr.sfixed64_val();
      case chakra::AttributeProto::kBoolVal:
        return attr.bool_val() ? 1 : 0;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> chakra_int_attribute(const chakra::Node& node, const std::string& name) {
  return int_attribute(node.attr(), name);
}

std::optional<int64_t> chakra_world_size(const chakra::GlobalMetadata& metadata) {
  return int_attribute(metadata.attr(), kWorldSizeAttribute);
}

std::optional<std::string> chakra_string_attribute(const chakra::Node& node,
                                                   const std::string& name) {
  for (const auto& attr : node.attr()) {
    if (attr.name() == name && attr.value_case() == chakra::AttributeProto::kStringVal) {
      return attr.string_val();
    }
  }
  return std::nullopt;
}

std::optional<std::vector<bool>> chakra_bool_list_attribute(const chakra::Node& node,
                                                            const std::string& name) {
  for (const auto& attr : node.attr()) {
    if (attr.name() == name && attr.value_case() == chakra::AttributeProto::kBoolList) {
      return std::vector<bool>(attr.bool_list().values().begin(), attr.bool_list().values().end());
    }
  }
  return std::nullopt;
}

}  // namespace kcsim

// Structure-aware mutators, one per kind of input (fuzz_mutator.hpp). libFuzzer's byte flips rarely
// get past a parser, and almost never delete a whole block, set a field to 1e308 or give two rows
// timestamps of -1e308 and 1e308. These read the input as kcsim does (config text as the kinds of
// file kcsim reads, a CSV as rows of cells, a Chakra trace as its messages), change it where it
// matters (through protobuf reflection: a number to an edge value, a name to a catalog entry or 300
// characters, a block cleared or added, an element removed or doubled, a sweep axis's field to
// another path through the schema; a CSV cell, a row, a node) and write it back. A quarter of the
// time, and whenever the input does not read, they leave it to libFuzzer's own mutations.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include "chakra_et.pb.h"
#include "chip.pb.h"
#include "cluster.pb.h"
#include "configs/loader/catalog.hpp"
#include "model.pb.h"
#include "scenario.pb.h"
#include "sweep.pb.h"
#include "tests/fuzz/fuzz_inputs.hpp"
#include "tests/fuzz/fuzz_mutator.hpp"
#include "validation.pb.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace kcsim::fuzz {
namespace {

namespace pb = google::protobuf;
using Type = pb::FieldDescriptor::CppType;

size_t pick(Rng& rng, size_t n) { return n == 0 ? 0 : rng() % n; }

template <class T>
const T& pick(Rng& rng, const std::vector<T>& items) {
  return items[pick(rng, items.size())];
}

// Words kcsim's string fields take, text that reads as a number or not, and some that should be
// refused: a path out of the catalog, a device file, bad UTF-8, blanks, 300 characters; then
// the catalog's entry names.
const std::vector<std::string>& words() {
  static const std::vector<std::string> all = [] {
    std::istringstream in(
        "analytical event ring tree auto static continuous chunked disaggregated round-robin "
        "least-outstanding jsq-tokens fixed trace uniform:1:100 lognormal:100:1 fat-tree "
        "rail-optimized torus dragonfly ../chips/h100-sxm /dev/zero 1 0 -1 8.0 1e3 nan inf "
        "1e400 2147483648 true BF16 FP8 FULL NONE");
    std::vector<std::string> w = {"", " ", "x\xff\xfe", std::string(300, 'a')};
    for (std::string word; in >> word;) w.push_back(word);
    config::Catalog catalog(config::Catalog::default_root());
    for (const char* folder : {"chips", "models", "clusters", "runtimes"}) {
      for (const auto& name : catalog.names(folder)) w.push_back(name);
    }
    return w;
  }();
  return all;
}

// A dotted path through the Scenario schema ("clusters[0].node.chip"), now and then a wrong
// one: what a sweep axis's field names.
std::string random_path(Rng& rng) {
  const pb::Descriptor* d = config::Scenario::descriptor();
  std::string path;
  for (int depth = 0; d && depth < 6; ++depth) {
    const pb::FieldDescriptor* f = d->field(static_cast<int>(pick(rng, d->field_count())));
    if (!path.empty()) path += '.';
    path += f->name();
    bool message = f->cpp_type() == Type::CPPTYPE_MESSAGE;
    if (f->is_repeated() && (message || rng() % 3 == 0)) {
      path += "[" + std::to_string(rng() % 8 == 0 ? 7 : rng() % 2) + "]";
    }
    if (!message) break;
    d = f->message_type();
  }
  switch (rng() % 16) {
    case 0:
      return path + ".x";
    case 1:
      return path + "[";
    case 2:
      return path.substr(0, pick(rng, path.size() + 1));
    case 3:
      return path + "[-1]";
    default:
      return path;
  }
}

// Edge values for an integer field; arithmetic on the field's value wraps rather than overflows.
int64_t edge_integer(Rng& rng, int64_t now) {
  constexpr int64_t kEdges[] = {0,  1,    -1,    2,       3,         7,        8,
                                16, 1024, 65536, 1000000, INT32_MAX, INT32_MIN};
  const auto u = static_cast<uint64_t>(now);
  switch (rng() % 8) {
    case 0:
      return static_cast<int64_t>(u + 1);
    case 1:
      return static_cast<int64_t>(u - 1);
    case 2:
      return static_cast<int64_t>(u * 2);
    case 3:
      return now / 2;
    case 4:
      return static_cast<int64_t>(rng() % 100);
    default:
      return kEdges[pick(rng, std::size(kEdges))];
  }
}

double edge_double(Rng& rng, double now) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kEdges[] = {0,    -0.0,  1,       -1,   0.5,   1e-308, 5e-324,
                               1e-4, 1e308, 1.7e308, kInf, -kInf, 1e15,   1e-15};
  switch (rng() % 8) {
    case 0:
      return now * 10;
    case 1:
      return now / 10;
    case 2:
      return -now;
    case 3:
      return now * (1 + 1e-9);
    case 4:
      return std::numeric_limits<double>::quiet_NaN();
    default:
      return kEdges[pick(rng, std::size(kEdges))];
  }
}

std::string edge_string(Rng& rng, const pb::FieldDescriptor* field, const std::string& now) {
  if (field->name() == "field" && field->containing_type() == config::SweepAxis::descriptor() &&
      rng() % 4 != 0) {
    return random_path(rng);
  }
  switch (rng() % 8) {
    case 0:
      return now + now;
    case 1:
      return now.empty() ? now : now.substr(0, now.size() - 1);
    default:
      return pick(rng, words());
  }
}

// One field of a message that is present in the input: set or not, it can be changed.
struct Slot {
  pb::Message* message;
  const pb::FieldDescriptor* field;
};

void collect(pb::Message* message, std::vector<Slot>& slots, int depth) {
  const pb::Descriptor* d = message->GetDescriptor();
  const pb::Reflection* r = message->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    slots.push_back({message, f});
    if (f->cpp_type() != Type::CPPTYPE_MESSAGE || depth > 8) continue;
    if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(*message, f); ++k) {
        collect(r->MutableRepeatedMessage(message, f, k), slots, depth + 1);
      }
    } else if (r->HasField(*message, f)) {
      collect(r->MutableMessage(message, f), slots, depth + 1);
    }
  }
}

void set_scalar(Rng& rng, pb::Message* m, const pb::FieldDescriptor* f, int index) {
  const pb::Reflection* r = m->GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case Type::CPPTYPE_INT32: {
      auto v = static_cast<int32_t>(
          edge_integer(rng, rep ? r->GetRepeatedInt32(*m, f, index) : r->GetInt32(*m, f)));
      rep ? r->SetRepeatedInt32(m, f, index, v) : r->SetInt32(m, f, v);
      break;
    }
    case Type::CPPTYPE_INT64: {
      int64_t v = edge_integer(rng, rep ? r->GetRepeatedInt64(*m, f, index) : r->GetInt64(*m, f));
      rep ? r->SetRepeatedInt64(m, f, index, v) : r->SetInt64(m, f, v);
      break;
    }
    case Type::CPPTYPE_UINT32: {
      auto v = static_cast<uint32_t>(
          edge_integer(rng, rep ? r->GetRepeatedUInt32(*m, f, index) : r->GetUInt32(*m, f)));
      rep ? r->SetRepeatedUInt32(m, f, index, v) : r->SetUInt32(m, f, v);
      break;
    }
    case Type::CPPTYPE_UINT64: {
      auto v = static_cast<uint64_t>(edge_integer(
          rng,
          static_cast<int64_t>(rep ? r->GetRepeatedUInt64(*m, f, index) : r->GetUInt64(*m, f))));
      rep ? r->SetRepeatedUInt64(m, f, index, v) : r->SetUInt64(m, f, v);
      break;
    }
    case Type::CPPTYPE_DOUBLE: {
      double v = edge_double(rng, rep ? r->GetRepeatedDouble(*m, f, index) : r->GetDouble(*m, f));
      rep ? r->SetRepeatedDouble(m, f, index, v) : r->SetDouble(m, f, v);
      break;
    }
    case Type::CPPTYPE_FLOAT: {
      double d = edge_double(rng, rep ? r->GetRepeatedFloat(*m, f, index) : r->GetFloat(*m, f));
      if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max()) {
        d = std::copysign(std::numeric_limits<double>::infinity(), d);
      }
      auto v = static_cast<float>(d);
      rep ? r->SetRepeatedFloat(m, f, index, v) : r->SetFloat(m, f, v);
      break;
    }
    case Type::CPPTYPE_BOOL: {
      bool v = !(rep ? r->GetRepeatedBool(*m, f, index) : r->GetBool(*m, f));
      rep ? r->SetRepeatedBool(m, f, index, v) : r->SetBool(m, f, v);
      break;
    }
    case Type::CPPTYPE_ENUM: {
      const pb::EnumDescriptor* e = f->enum_type();
      const pb::EnumValueDescriptor* v = e->value(static_cast<int>(pick(rng, e->value_count())));
      rep ? r->SetRepeatedEnum(m, f, index, v) : r->SetEnum(m, f, v);
      break;
    }
    case Type::CPPTYPE_STRING: {
      std::string v =
          edge_string(rng, f, rep ? r->GetRepeatedString(*m, f, index) : r->GetString(*m, f));
      rep ? r->SetRepeatedString(m, f, index, v) : r->SetString(m, f, v);
      break;
    }
    case Type::CPPTYPE_MESSAGE:
      break;
  }
}

// Appends one element: an empty message, or a scalar set to an edge value.
void add_element(Rng& rng, pb::Message* m, const pb::FieldDescriptor* f) {
  const pb::Reflection* r = m->GetReflection();
  switch (f->cpp_type()) {
    case Type::CPPTYPE_MESSAGE:
      r->AddMessage(m, f);
      return;
    case Type::CPPTYPE_INT32:
      r->AddInt32(m, f, 0);
      break;
    case Type::CPPTYPE_INT64:
      r->AddInt64(m, f, 0);
      break;
    case Type::CPPTYPE_UINT32:
      r->AddUInt32(m, f, 0);
      break;
    case Type::CPPTYPE_UINT64:
      r->AddUInt64(m, f, 0);
      break;
    case Type::CPPTYPE_DOUBLE:
      r->AddDouble(m, f, 1);
      break;
    case Type::CPPTYPE_FLOAT:
      r->AddFloat(m, f, 1);
      break;
    case Type::CPPTYPE_BOOL:
      r->AddBool(m, f, false);
      break;
    case Type::CPPTYPE_ENUM:
      r->AddEnum(m, f, f->enum_type()->value(0));
      break;
    case Type::CPPTYPE_STRING:
      r->AddString(m, f, "");
      break;
  }
  set_scalar(rng, m, f, r->FieldSize(*m, f) - 1);
}

void mutate_once(Rng& rng, pb::Message* root) {
  std::vector<Slot> slots;
  collect(root, slots, 0);
  if (slots.empty()) return;
  // Fields already written are the likelier ones to matter: half the picks go to them.
  std::vector<Slot> written;
  for (const Slot& s : slots) {
    const pb::Reflection* r = s.message->GetReflection();
    if (s.field->is_repeated() ? r->FieldSize(*s.message, s.field) > 0
                               : r->HasField(*s.message, s.field)) {
      written.push_back(s);
    }
  }
  const Slot& s = !written.empty() && rng() % 2 ? pick(rng, written) : pick(rng, slots);
  pb::Message* m = s.message;
  const pb::FieldDescriptor* f = s.field;
  const pb::Reflection* r = m->GetReflection();
  const bool message = f->cpp_type() == Type::CPPTYPE_MESSAGE;
  if (!f->is_repeated()) {
    if (r->HasField(*m, f) && (message || rng() % 4 == 0)) {
      r->ClearField(m, f);
    } else if (message) {
      r->MutableMessage(m, f);
    } else {
      set_scalar(rng, m, f, -1);
    }
    return;
  }
  int size = r->FieldSize(*m, f);
  if (size == 0) {
    add_element(rng, m, f);
    return;
  }
  switch (rng() % 4) {
    case 0:
      r->ClearField(m, f);
      break;
    case 1:  // remove one: swap it to the end first
      r->SwapElements(m, f, static_cast<int>(pick(rng, static_cast<size_t>(size))), size - 1);
      r->RemoveLast(m, f);
      break;
    case 2:
      if (message) {  // a copy first: adding may move the element
        const pb::Message& element =
            r->GetRepeatedMessage(*m, f, static_cast<int>(pick(rng, static_cast<size_t>(size))));
        std::unique_ptr<pb::Message> copy(element.New());
        copy->CopyFrom(element);
        r->AddMessage(m, f)->CopyFrom(*copy);
      } else {
        add_element(rng, m, f);
      }
      break;
    default:
      if (message) {
        r->AddMessage(m, f);
      } else {
        set_scalar(rng, m, f, static_cast<int>(pick(rng, static_cast<size_t>(size))));
      }
  }
}

}  // namespace

// Text configs: the input as the first config kind that reads it, changed, printed back; false
// when no kind reads it.
bool mutate_text(const std::string& text, Rng& rng, std::string* out) {
  config::Scenario scenario;
  config::Sweep sweep;
  config::Chip chip;
  config::Model model;
  config::Cluster cluster;
  config::ValidationCase validation;
  // A failed parse is a normal outcome here: no messages on stderr.
  class Quiet : public pb::io::ErrorCollector {
    void AddError(int, pb::io::ColumnNumber, const std::string&) override {}
  } quiet;
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&quiet);
  for (pb::Message* message : std::initializer_list<pb::Message*>{&scenario, &sweep, &chip, &model,
                                                                  &cluster, &validation}) {
    if (!parser.ParseFromString(text, message)) continue;
    for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) mutate_once(rng, message);
    return pb::TextFormat::PrintToString(*message, out);
  }
  return false;
}

// Request traces: a cell set to an edge value, or a row removed, doubled or moved.
bool mutate_csv(const std::string& text, Rng& rng, std::string* out) {
  std::vector<std::string> lines;
  for (size_t at = 0; at <= text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (lines.size() < 2) return false;
  // Numbers at and past the edges, datetimes that are not, blanks and quotes ('|' between).
  static const std::vector<std::string> cells = [] {
    std::vector<std::string> all;
    std::istringstream in(
        "-1e308|1e308|1.7e308|-1.7e308|nan|inf|0|-1|1|0.5|1e-320|9223372036854775807|"
        "9223372036854775808|2023-11-16 18:15:46.6805900|9999-12-31 23:59:60.999|"
        "0000-01-01 00:00:00|2023-02-30T25:61:00|| |\"5\"|5.0|1e3");
    for (std::string cell; std::getline(in, cell, '|');) all.push_back(cell);
    return all;
  }();
  size_t row = 1 + pick(rng, lines.size() - 1);
  switch (rng() % 6) {
    case 0:
    case 1:
    case 2: {  // one cell
      std::string& line = lines[row];
      std::vector<size_t> commas = {0};
      for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] == ',') commas.push_back(i + 1);
      }
      size_t cell = pick(rng, commas.size());
      size_t begin = commas[cell];
      size_t end = line.find(',', begin);
      line.replace(begin, (end == std::string::npos ? line.size() : end) - begin, pick(rng, cells));
      break;
    }
    case 3:
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(row));
      break;
    case 4:
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(row), lines[row]);
      break;
    default:
      std::swap(lines[row], lines[1 + pick(rng, lines.size() - 1)]);
  }
  out->clear();
  for (size_t i = 0; i < lines.size(); ++i) *out += (i ? "\n" : "") + lines[i];
  return true;
}

// Chakra traces: each rank's stream read as messages (a GlobalMetadata, then Nodes); a field of
// one changed, or a node removed, doubled or moved; written back.
bool mutate_chakra(const std::string& text, Rng& rng, std::string* out) {
  struct Rank {
    chakra::GlobalMetadata metadata;
    std::vector<chakra::Node> nodes;
  };
  std::vector<Rank> ranks;
  std::string_view rest = text;
  while (true) {
    auto at = rest.find(kRankSeparator);
    std::string_view bytes = rest.substr(0, at);
    pb::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                static_cast<int>(bytes.size()));
    Rank rank;
    for (bool first = true; in.CurrentPosition() < static_cast<int>(bytes.size()); first = false) {
      uint32_t size = 0;
      if (!in.ReadVarint32(&size)) return false;
      auto limit = in.PushLimit(static_cast<int>(size));
      pb::Message* message =
          first ? static_cast<pb::Message*>(&rank.metadata) : &rank.nodes.emplace_back();
      if (!message->ParseFromCodedStream(&in) || in.BytesUntilLimit() != 0) return false;
      in.PopLimit(limit);
    }
    ranks.push_back(std::move(rank));
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + kRankSeparator.size());
  }
  Rank& rank = ranks[pick(rng, ranks.size())];
  auto& nodes = rank.nodes;
  switch (nodes.empty() ? 0 : rng() % 8) {
    case 0:
      mutate_once(rng, &rank.metadata);
      break;
    case 1:
      nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(pick(rng, nodes.size())));
      break;
    case 2:
      nodes.push_back(nodes[pick(rng, nodes.size())]);
      break;
    case 3:
      std::swap(nodes[pick(rng, nodes.size())], nodes[pick(rng, nodes.size())]);
      break;
    default:
      for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) {
        mutate_once(rng, &nodes[pick(rng, nodes.size())]);
      }
  }
  out->clear();
  for (size_t r = 0; r < ranks.size(); ++r) {
    if (r > 0) out->append(kRankSeparator);
    pb::io::StringOutputStream stream(out);
    pb::io::CodedOutputStream coded(&stream);
    auto write = [&](const pb::Message& message) {
      coded.WriteVarint32(static_cast<uint32_t>(message.ByteSizeLong()));
      message.SerializeWithCachedSizes(&coded);
    };
    write(ranks[r].metadata);
    for (const auto& node : ranks[r].nodes) write(node);
  }
  return true;
}

size_t custom_mutate(bool (*mutate)(const std::string&, Rng&, std::string*), uint8_t* data,
                     size_t size, size_t max_size, unsigned int seed) {
  Rng rng(seed);
  std::string out;
  if (rng() % 4 == 0 ||
      !mutate(std::string(reinterpret_cast<const char*>(data), size), rng, &out) ||
      out.size() > max_size) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace kcsim::fuzz

// Config files as the catalogs and the command line read them (text_loader).
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "chip.pb.h"
#include "cluster.pb.h"
#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "model.pb.h"
#include "scenario.pb.h"
#include "sweep.pb.h"
#include "tests/fuzz/fuzz_inputs.hpp"
#include "validation.pb.h"

namespace kcsim::fuzz {
namespace {

namespace pb = google::protobuf;

// Locates every field written in `message` by its dotted path ("clusters[0].node.chip"), as
// the checks after loading do to point at a field.
void locate_all(const config::LoadedFile& file, const pb::Message& message,
                const std::string& prefix) {
  const pb::Reflection* reflection = message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    bool nested = field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
    if (!field->is_repeated()) {
      std::string path = prefix + field->name();
      file.locate(path);
      if (nested) locate_all(file, reflection->GetMessage(message, field), path + ".");
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      std::string path = fmt::format("{}{}[{}]", prefix, field->name(), i);
      file.locate(path);
      if (nested) locate_all(file, reflection->GetRepeatedMessage(message, field, i), path + ".");
    }
  }
}

bool looks_like_json(std::string_view bytes) {
  auto first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

}  // namespace

void load_config(std::string_view bytes) {
  const std::string text(bytes);
  const std::string name = looks_like_json(bytes) ? "fuzz.json" : "fuzz.textproto";
  config::Scenario scenario;
  config::Sweep sweep;
  config::Chip chip;
  config::Model model;
  config::Cluster cluster;
  config::ValidationCase validation;
  std::optional<InputError> first_error;
  bool accepted = false;
  for (pb::Message* message : std::initializer_list<pb::Message*>{&scenario, &sweep, &chip, &model,
                                                                  &cluster, &validation}) {
    try {
      auto file = config::LoadedFile::parse_text(text, name, message);
      file.locate("");
      locate_all(file, *message, "");
      accepted = true;
    } catch (const InputError& e) {
      if (!first_error) first_error = e;
    }
  }
  if (!accepted) throw *first_error;
}

}  // namespace kcsim::fuzz

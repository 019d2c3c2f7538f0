// Dotted field paths into a protobuf message ("training.plan.tp", "clusters[0].node.chip"),
// resolved once against the schema and then written with reflection: how a sweep axis sets its
// value on the base scenario.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

namespace kcsim::sweep {

struct FieldStep {
  const google::protobuf::FieldDescriptor* field = nullptr;
  int index = -1;  // an element of a repeated field; -1: none given
};

struct FieldPath {
  std::string text;
  std::vector<FieldStep> steps;  // the last one is a scalar, string or enum field

  const google::protobuf::FieldDescriptor* leaf() const { return steps.back().field; }
  // Numbers (integer or floating point) as opposed to text, booleans and enum names.
  bool numeric() const;
};

// Throws std::invalid_argument saying what is wrong: an unknown field (naming the fields that
// exist there), an index on a field that is not repeated, a path that ends on a message.
FieldPath resolve_field_path(const google::protobuf::Descriptor* root, std::string_view text);

// Empty when `value` reads as the leaf's type; otherwise why not.
std::string check_field_value(const FieldPath& path, const std::string& value);

// Writes `value` (already checked) at `path` in `message`, creating the messages on the way.
// A repeated leaf without an index is replaced by the one value; an index one past the end
// appends. Throws std::invalid_argument for an index further out.
void set_field(google::protobuf::Message* message, const FieldPath& path, const std::string& value);

}  // namespace kcsim::sweep

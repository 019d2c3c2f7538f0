// Every value of a config message checked against its schema before anything uses it: each
// number finite and inside the interval its field allows (`[(allowed) = "[1, 1024]"]` in
// configs/schema/), each string valid UTF-8 and of bounded length.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "configs/loader/errors.hpp"

namespace kcsim::config {

// The longest string a config field may hold, bytes.
constexpr size_t kMaxFieldTextBytes = 1 << 16;

// The interval a numeric field allows, read from its `allowed` option.
struct AllowedRange {
  double low = 0, high = 0;
  bool low_open = false, high_open = false;

  bool contains(double value) const;
  std::string str() const;  // as the schema writes it: "[1, 1024]"
};

// Writes the field's interval to `range`; false when the schema declares none. A
// malformed interval is a schema bug (std::logic_error).
bool allowed_range(const google::protobuf::FieldDescriptor& field, AllowedRange* range);

// Where the field at a dotted path ("clusters[0].node.chip") was written.
using FieldLocator = std::function<Origin(std::string_view field_path)>;
// The name an error gives the field at a dotted path (a command-line flag, say); empty: the path.
using FieldNamer = std::function<std::string(std::string_view field_path)>;

// Throws InputError "file:line:column: path.to.field: ..." for the first value that is not
// finite, lies outside its field's interval, or is text that is not UTF-8 or too long.
void check_fields(const google::protobuf::Message& message, const FieldLocator& locate,
                  const FieldNamer& name = {});

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool is_utf8(std::string_view text);

}  // namespace kcsim::config

#include "configs/loader/field_checks.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "common.pb.h"

namespace kcsim::config {
namespace {

namespace pb = google::protobuf;

// "[1, 1e5]" / "(0, 1]" into `range`; false when malformed.
bool parse_interval(const std::string& text, AllowedRange* range) {
  if (text.size() < 5) return false;
  char open = text.front(), close = text.back();
  if ((open != '[' && open != '(') || (close != ']' && close != ')')) return false;
  auto comma = text.find(',');
  if (comma == std::string::npos) return false;
  std::string low = text.substr(1, comma - 1),
              high = text.substr(comma + 1, text.size() - comma - 2);
  char* end = nullptr;
  range->low = std::strtod(low.c_str(), &end);
  if (end == low.c_str() || *end != '\0') return false;
  range->high = std::strtod(high.c_str(), &end);
  if (end == high.c_str() || *end != '\0') return false;
  range->low_open = open == '(';
  range->high_open = close == ')';
  return range->low <= range->high;
}

class FieldChecker {
 public:
  FieldChecker(const FieldLocator& locate, const FieldNamer& name) : locate_(locate), name_(name) {}

  void check(const pb::Message& message, const std::string& prefix) {
    const pb::Reflection* reflection = message.GetReflection();
    std::vector<const pb::FieldDescriptor*> fields;
    reflection->ListFields(message, &fields);
    for (const pb::FieldDescriptor* field : fields) {
      std::string path = prefix.empty() ? field->name() : prefix + "." + field->name();
      if (!field->is_repeated()) {
        check_value(message, *field, -1, path);
        continue;
      }
      int count = reflection->FieldSize(message, field);
      for (int i = 0; i < count; ++i) {
        check_value(message, *field, i, fmt::format("{}[{}]", path, i));
      }
    }
  }

 private:
  // The value of `field` (element `index` of a repeated one, -1 for a singular one).
  void check_value(const pb::Message& message, const pb::FieldDescriptor& field, int index,
                   const std::string& path) {
    const pb::Reflection* r = message.GetReflection();
    bool repeated = index >= 0;
    switch (field.cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        check(repeated ? r->GetRepeatedMessage(message, &field, index)
                       : r->GetMessage(message, &field),
              path);
        return;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        check_text(
            repeated ? r->GetRepeatedString(message, &field, index) : r->GetString(message, &field),
            path);
        return;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        check_number(
            repeated ? r->GetRepeatedDouble(message, &field, index) : r->GetDouble(message, &field),
            field, path);
        return;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        check_number(
            repeated ? r->GetRepeatedFloat(message, &field, index) : r->GetFloat(message, &field),
            field, path);
        return;
      case pb::FieldDescriptor::CPPTYPE_INT32:
        check_number(
            repeated ? r->GetRepeatedInt32(message, &field, index) : r->GetInt32(message, &field),
            field, path);
        return;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        check_number(static_cast<double>(repeated ? r->GetRepeatedInt64(message, &field, index)
                                                  : r->GetInt64(message, &field)),
                     field, path);
        return;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        check_number(
            repeated ? r->GetRepeatedUInt32(message, &field, index) : r->GetUInt32(message, &field),
            field, path);
        return;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        check_number(static_cast<double>(repeated ? r->GetRepeatedUInt64(message, &field, index)
                                                  : r->GetUInt64(message, &field)),
                     field, path);
        return;
      default:  // bool, enum: the parser already holds them to their values
        return;
    }
  }

  void check_number(double value, const pb::FieldDescriptor& field, const std::string& path) {
    if (!std::isfinite(value)) fail(path, fmt::format("must be a finite number (got {})", value));
    AllowedRange range;
    if (allowed_range(field, &range) && !range.contains(value)) {
      fail(path, fmt::format("must lie in {} (got {:g})", range.str(), value));
    }
  }

  void check_text(const std::string& text, const std::string& path) {
    if (text.size() > kMaxFieldTextBytes) {
      fail(path, fmt::format("text of {} bytes; at most {} are accepted", text.size(),
                             kMaxFieldTextBytes));
    }
    if (!is_utf8(text)) fail(path, "is not valid UTF-8 text");
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) {
    std::string field = name_ ? name_(path) : std::string();
    throw_input_error(locate_(path), field.empty() ? path : field, what);
  }

  const FieldLocator& locate_;
  const FieldNamer& name_;
};

}  // namespace

bool AllowedRange::contains(double value) const {
  bool above = low_open ? value > low : value >= low;
  bool below = high_open ? value < high : value <= high;
  return above && below;
}

std::string AllowedRange::str() const {
  return fmt::format("{}{:g}, {:g}{}", low_open ? '(' : '[', low, high, high_open ? ')' : ']');
}

bool allowed_range(const pb::FieldDescriptor& field, AllowedRange* range) {
  if (!field.options().HasExtension(allowed)) return false;
  const std::string& text = field.options().GetExtension(allowed);
  if (!parse_interval(text, range)) {
    throw std::logic_error(
        fmt::format("schema: {}: malformed allowed interval \"{}\"", field.full_name(), text));
  }
  return true;
}

void check_fields(const pb::Message& message, const FieldLocator& locate, const FieldNamer& name) {
  FieldChecker(locate, name).check(message, "");
}

bool is_utf8(std::string_view text) {
  size_t i = 0, n = text.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra = 0;
    uint32_t code = 0, minimum = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, code = c & 0x1F, minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, code = c & 0x0F, minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, code = c & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (i + static_cast<size_t>(extra) >= n) return false;
    for (int k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace kcsim::config

#include "sim/sweep/field_path.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace kcsim::sweep {
namespace {

namespace pb = google::protobuf;
using Type = pb::FieldDescriptor::CppType;

std::string field_names(const pb::Descriptor* descriptor) {
  std::string names;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (i > 0) names += ", ";
    names += descriptor->field(i)->name();
  }
  return names;
}

bool parse_double(const std::string& text, double* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

// Integers may be written as whole floating-point numbers ("8", "8.0", "1e3").
bool parse_integer(const std::string& text, double low, double high, long long* out) {
  double value = 0;
  if (!parse_double(text, &value) || value != std::floor(value) || value < low || value > high) {
    return false;
  }
  *out = static_cast<long long>(value);
  return true;
}

bool parse_bool(const std::string& text, bool* out) {
  if (text == "true" || text == "1")
    *out = true;
  else if (text == "false" || text == "0")
    *out = false;
  else
    return false;
  return true;
}

std::string enum_names(const pb::EnumDescriptor* e) {
  std::string names;
  for (int i = 0; i < e->value_count(); ++i) {
    if (i > 0) names += ", ";
    names += e->value(i)->name();
  }
  return names;
}

}  // namespace

bool FieldPath::numeric() const {
  switch (leaf()->cpp_type()) {
    case Type::CPPTYPE_INT32:
    case Type::CPPTYPE_INT64:
    case Type::CPPTYPE_UINT32:
    case Type::CPPTYPE_UINT64:
    case Type::CPPTYPE_DOUBLE:
    case Type::CPPTYPE_FLOAT:
      return true;
    default:
      return false;
  }
}

FieldPath resolve_field_path(const pb::Descriptor* root, std::string_view text) {
  FieldPath path;
  path.text = std::string(text);
  if (text.empty()) throw std::invalid_argument("the field path is empty");
  const pb::Descriptor* descriptor = root;
  std::string_view rest = text;
  while (true) {
    auto dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    FieldStep step;
    if (auto bracket = part.find('['); bracket != std::string_view::npos) {
      std::string_view number = part.substr(bracket + 1);
      int index = -1;
      auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), index);
      if (ec != std::errc() || ptr == number.data() + number.size() || *ptr != ']' ||
          ptr + 1 != number.data() + number.size() || index < 0) {
        throw std::invalid_argument(fmt::format("\"{}\" is not NAME[INDEX]", part));
      }
      step.index = index;
      part = part.substr(0, bracket);
    }
    if (!descriptor) {
      throw std::invalid_argument(
          fmt::format("\"{}\" follows a field that is not a message", part));
    }
    step.field = descriptor->FindFieldByName(std::string(part));
    if (!step.field) {
      throw std::invalid_argument(fmt::format("{} has no field \"{}\"; its fields: {}",
                                              descriptor->name(), part, field_names(descriptor)));
    }
    if (step.index >= 0 && !step.field->is_repeated()) {
      throw std::invalid_argument(
          fmt::format("{} is not repeated; drop the [{}]", part, step.index));
    }
    bool message = step.field->cpp_type() == Type::CPPTYPE_MESSAGE;
    path.steps.push_back(step);
    if (dot == std::string_view::npos) {
      if (message) {
        throw std::invalid_argument(fmt::format("{} is a message; name one of its fields: {}", part,
                                                field_names(step.field->message_type())));
      }
      return path;
    }
    if (message && step.field->is_repeated() && step.index < 0) {
      throw std::invalid_argument(
          fmt::format("{} is repeated; say which element, e.g. {}[0]", part, part));
    }
    descriptor = message ? step.field->message_type() : nullptr;
    rest = rest.substr(dot + 1);
  }
}

std::string check_field_value(const FieldPath& path, const std::string& value) {
  const pb::FieldDescriptor* f = path.leaf();
  long long integer = 0;
  double number = 0;
  bool flag = false;
  switch (f->cpp_type()) {
    case Type::CPPTYPE_INT32:
      if (parse_integer(value, std::numeric_limits<int32_t>::min(),
                        std::numeric_limits<int32_t>::max(), &integer))
        return "";
      return fmt::format("\"{}\" is not a whole number ({} is an int32)", value, f->name());
    case Type::CPPTYPE_INT64:
      if (parse_integer(value, -9.007e15, 9.007e15, &integer)) return "";
      return fmt::format("\"{}\" is not a whole number ({} is an int64)", value, f->name());
    case Type::CPPTYPE_UINT32:
      if (parse_integer(value, 0, std::numeric_limits<uint32_t>::max(), &integer)) return "";
      return fmt::format("\"{}\" is not a whole number >= 0 ({} is a uint32)", value, f->name());
    case Type::CPPTYPE_UINT64:
      if (parse_integer(value, 0, 9.007e15, &integer)) return "";
      return fmt::format("\"{}\" is not a whole number >= 0 ({} is a uint64)", value, f->name());
    case Type::CPPTYPE_DOUBLE:
    case Type::CPPTYPE_FLOAT:
      if (parse_double(value, &number)) return "";
      return fmt::format("\"{}\" is not a number", value);
    case Type::CPPTYPE_BOOL:
      if (parse_bool(value, &flag)) return "";
      return fmt::format("\"{}\" is not true or false", value);
    case Type::CPPTYPE_ENUM:
      if (f->enum_type()->FindValueByName(value)) return "";
      return fmt::format("\"{}\" is not a {}; use one of: {}", value, f->enum_type()->name(),
                         enum_names(f->enum_type()));
    case Type::CPPTYPE_STRING:
      return "";
    case Type::CPPTYPE_MESSAGE:
      break;
  }
  return fmt::format("{} is a message", f->name());
}

void set_field(pb::Message* message, const FieldPath& path, const std::string& value) {
  for (size_t i = 0; i + 1 < path.steps.size(); ++i) {
    const FieldStep& step = path.steps[i];
    const pb::Reflection* reflection = message->GetReflection();
    if (!step.field->is_repeated()) {
      message = reflection->MutableMessage(message, step.field);
      continue;
    }
    int size = reflection->FieldSize(*message, step.field);
    if (step.index > size) {
      throw std::invalid_argument(
          fmt::format("{}: the base has {} element(s) of {}; index {} "
                      "is more than one past the end",
                      path.text, size, step.field->name(), step.index));
    }
    message = step.index == size
                  ? reflection->AddMessage(message, step.field)
                  : reflection->MutableRepeatedMessage(message, step.field, step.index);
  }
  const FieldStep& leaf = path.steps.back();
  const pb::FieldDescriptor* f = leaf.field;
  const pb::Reflection* r = message->GetReflection();
  int index = leaf.index;
  if (f->is_repeated()) {
    int size = r->FieldSize(*message, f);
    if (index < 0) {
      r->ClearField(message, f);
      index = 0;
      size = 0;
    }
    if (index > size) {
      throw std::invalid_argument(
          fmt::format("{}: the base has {} value(s); index {} is more "
                      "than one past the end",
                      path.text, size, index));
    }
    if (index == size) index = -2;  // append
  }
  long long integer = 0;
  double number = 0;
  bool flag = false;
  const bool repeated = f->is_repeated();
  const bool append = index == -2;
  switch (f->cpp_type()) {
    case Type::CPPTYPE_INT32:
      parse_integer(value, -2.2e9, 2.2e9, &integer);
      if (!repeated)
        r->SetInt32(message, f, static_cast<int32_t>(integer));
      else if (append)
        r->AddInt32(message, f, static_cast<int32_t>(integer));
      else
        r->SetRepeatedInt32(message, f, index, static_cast<int32_t>(integer));
      break;
    case Type::CPPTYPE_INT64:
      parse_integer(value, -9.007e15, 9.007e15, &integer);
      if (!repeated)
        r->SetInt64(message, f, integer);
      else if (append)
        r->AddInt64(message, f, integer);
      else
        r->SetRepeatedInt64(message, f, index, integer);
      break;
    case Type::CPPTYPE_UINT32:
      parse_integer(value, 0, 4.3e9, &integer);
      if (!repeated)
        r->SetUInt32(message, f, static_cast<uint32_t>(integer));
      else if (append)
        r->AddUInt32(message, f, static_cast<uint32_t>(integer));
      else
        r->SetRepeatedUInt32(message, f, index, static_cast<uint32_t>(integer));
      break;
    case Type::CPPTYPE_UINT64:
      parse_integer(value, 0, 9.007e15, &integer);
      if (!repeated)
        r->SetUInt64(message, f, static_cast<uint64_t>(integer));
      else if (append)
        r->AddUInt64(message, f, static_cast<uint64_t>(integer));
      else
        r->SetRepeatedUInt64(message, f, index, static_cast<uint64_t>(integer));
      break;
    case Type::CPPTYPE_DOUBLE:
      parse_double(value, &number);
      if (!repeated)
        r->SetDouble(message, f, number);
      else if (append)
        r->AddDouble(message, f, number);
      else
        r->SetRepeatedDouble(message, f, index, number);
      break;
    case Type::CPPTYPE_FLOAT:
      parse_double(value, &number);
      if (!repeated)
        r->SetFloat(message, f, static_cast<float>(number));
      else if (append)
        r->AddFloat(message, f, static_cast<float>(number));
      else
        r->SetRepeatedFloat(message, f, index, static_cast<float>(number));
      break;
    case Type::CPPTYPE_BOOL:
      parse_bool(value, &flag);
      if (!repeated)
        r->SetBool(message, f, flag);
      else if (append)
        r->AddBool(message, f, flag);
      else
        r->SetRepeatedBool(message, f, index, flag);
      break;
    case Type::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* e = f->enum_type()->FindValueByName(value);
      if (!e) throw std::invalid_argument(check_field_value(path, value));
      if (!repeated)
        r->SetEnum(message, f, e);
      else if (append)
        r->AddEnum(message, f, e);
      else
        r->SetRepeatedEnum(message, f, index, e);
      break;
    }
    case Type::CPPTYPE_STRING:
      if (!repeated)
        r->SetString(message, f, value);
      else if (append)
        r->AddString(message, f, value);
      else
        r->SetRepeatedString(message, f, index, value);
      break;
    case Type::CPPTYPE_MESSAGE:
      throw std::invalid_argument(fmt::format("{} is a message", f->name()));
  }
}

}  // namespace kcsim::sweep

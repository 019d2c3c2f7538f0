#include "configs/loader/text_loader.hpp"

#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/util/json_util.h>

#include "configs/loader/field_checks.hpp"
#include "configs/loader/text_files.hpp"

namespace kcsim::config {
namespace {

namespace pb = google::protobuf;

// Keeps the first parse error with its position (the parser's are 0-based).
class FirstErrorCollector : public pb::io::ErrorCollector {
 public:
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    if (!has_error) {
      has_error = true;
      this->line = line + 1;
      this->column = column + 1;
      this->message = message;
    }
  }
  void AddWarning(int, pb::io::ColumnNumber, const std::string&) override {}

  bool has_error = false;
  int line = 0;
  int column = 0;
  std::string message;
};

// The line of `text` with 1-based number `line`.
std::string line_of(const std::string& text, int line) {
  std::istringstream in(text);
  std::string current;
  for (int i = 1; std::getline(in, current); ++i) {
    if (i == line) return current;
  }
  return "";
}

// The field an error is about: the one the parser names ("...no field named "x"."), else the
// field written first on the line ("x: ..." or "x {"), else "syntax".
std::string field_of_error(const std::string& message, const std::string& line) {
  const std::string named = "no field named \"";
  if (auto at = message.find(named); at != std::string::npos) {
    auto start = at + named.size();
    return message.substr(start, message.find('"', start) - start);
  }
  auto begin = line.find_first_not_of(" \t");
  if (begin == std::string::npos) return "syntax";
  auto end = line.find_first_of(" \t:{[", begin);
  std::string word = line.substr(begin, end == std::string::npos ? end : end - begin);
  bool identifier =
      !word.empty() &&
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") ==
          std::string::npos;
  return identifier ? word : "syntax";
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

LoadedFile LoadedFile::parse(const std::filesystem::path& path, pb::Message* message) {
  return parse_text(read_text_file(path), path.string(), message);
}

LoadedFile LoadedFile::parse_text(const std::string& text, const std::string& name,
                                  pb::Message* message) {
  message->Clear();
  if (ends_with(name, ".json")) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = pb::util::JsonStringToMessage(text, message, options);
    if (!status.ok()) {
      throw InputError(fmt::format("{}: json: {}", name, std::string(status.message())));
    }
    LoadedFile file(name, message->GetDescriptor(), nullptr);
    check_fields(*message, [&](std::string_view path) { return file.locate(path); });
    return file;
  }
  auto tree = std::make_shared<pb::TextFormat::ParseInfoTree>();
  FirstErrorCollector errors;
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(tree.get());
  if (!parser.ParseFromString(text, message)) {
    std::string line = line_of(text, errors.line);
    std::string field = field_of_error(errors.message, line);
    Origin origin{name, errors.line, errors.column};
    // Point at the field's name when it is on the line (the parser points past it).
    if (auto at = line.find(field); field != "syntax" && at != std::string::npos) {
      origin.column = static_cast<int>(at) + 1;
    }
    throw_input_error(origin, field, errors.has_error ? errors.message : "does not parse");
  }
  LoadedFile file(name, message->GetDescriptor(), std::move(tree));
  check_fields(*message, [&](std::string_view path) { return file.locate(path); });
  return file;
}

Origin LoadedFile::locate(std::string_view field_path) const {
  Origin whole{file_, 0, 0};
  if (!tree_) return whole;
  const pb::Descriptor* descriptor = root_;
  const pb::TextFormat::ParseInfoTree* tree = tree_.get();
  Origin best = whole;
  while (!field_path.empty() && descriptor && tree) {
    auto dot = field_path.find('.');
    std::string_view part = field_path.substr(0, dot);
    field_path = dot == std::string_view::npos ? std::string_view{} : field_path.substr(dot + 1);
    int index = -1;
    if (auto bracket = part.find('['); bracket != std::string_view::npos) {
      index = std::stoi(std::string(part.substr(bracket + 1)));
      part = part.substr(0, bracket);
    }
    const pb::FieldDescriptor* field = descriptor->FindFieldByName(std::string(part));
    if (!field) break;
    // The parser's tree wants -1 for a singular field and an index for a repeated one: a list
    // named as a whole stands where its first element was written.
    if (!field->is_repeated()) index = -1;
    if (field->is_repeated() && index < 0) index = 0;
    auto location = tree->GetLocation(field, index);
    if (location.line < 0) break;
    best = Origin{file_, location.line + 1, location.column + 1};
    if (field->type() != pb::FieldDescriptor::TYPE_MESSAGE) break;
    tree = tree->GetTreeForNested(field, index);
    descriptor = field->message_type();
  }
  return best;
}

}  // namespace kcsim::config

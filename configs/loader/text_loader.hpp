// Reads one config file (protobuf text format, or JSON by extension) and remembers where each
// field was written, so later checks can point at file:line:column.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include "configs/loader/errors.hpp"

namespace kcsim::config {

class LoadedFile {
 public:
  // Parses `path` into `message`; throws InputError naming file:line:column on failure.
  static LoadedFile parse(const std::filesystem::path& path, google::protobuf::Message* message);
  // Parses text already in memory; `name` stands for the file in messages.
  static LoadedFile parse_text(const std::string& text, const std::string& name,
                               google::protobuf::Message* message);

  // A message built in memory rather than read from a file: errors name `name` alone.
  static LoadedFile unlocated(const std::string& name, const google::protobuf::Descriptor* root) {
    return LoadedFile(name, root, nullptr);
  }

  // Where the field at a dotted path ("clusters[0].node.chip") was written; the file alone
  // when the field was not written in it (or the file is JSON).
  Origin locate(std::string_view field_path) const;
  const std::string& file() const { return file_; }

 private:
  LoadedFile(std::string file, const google::protobuf::Descriptor* root,
             std::shared_ptr<google::protobuf::TextFormat::ParseInfoTree> tree)
      : file_(std::move(file)), root_(root), tree_(std::move(tree)) {}

  std::string file_;
  const google::protobuf::Descriptor* root_ = nullptr;
  std::shared_ptr<google::protobuf::TextFormat::ParseInfoTree> tree_;  // null for JSON
};

}  // namespace kcsim::config

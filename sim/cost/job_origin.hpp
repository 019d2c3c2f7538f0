// Where a job was written, for error messages: the file and the job's field path in it.
#pragma once

#include <string>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"

namespace kcsim {

struct JobOrigin {
  const config::LoadedFile* file = nullptr;
  std::string path;  // "training", "serving", ...
  // The place of `field` below the job's path (nowhere for a job built from flags).
  Origin at(const std::string& field) const {
    if (!file) return Origin{};
    return file->locate(path.empty() ? field : path + "." + field);
  }
};

}  // namespace kcsim

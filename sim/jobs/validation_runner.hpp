// The validation cases under configs/validation/: each a published measurement and the job that
// reproduces it, run and compared.
#pragma once

#include <filesystem>
#include <vector>

#include "analysis/results.hpp"
#include "configs/loader/catalog.hpp"
#include "configs/loader/text_loader.hpp"
#include "validation.pb.h"

namespace kcsim {

// A case as read from its file.
struct ValidationCaseFile {
  std::filesystem::path path;
  config::ValidationCase spec;
  config::LoadedFile file;  // where each field was written, for errors
};

std::vector<ValidationCaseFile> read_validation_cases(const config::Catalog& catalog);

// Runs one case against `catalog` (whose chips may differ from the files', as when a fit tries
// figures). A case that cannot run carries its reason in `error`.
ValidationRow run_validation_case(const ValidationCaseFile& c, const config::Catalog& catalog);

// Every case under configs/validation/, run and compared with its published figure.
std::vector<ValidationRow> run_validation(const config::Catalog& catalog);

// The chip a case's cluster runs (after the cluster's overrides, before catalog bases).
std::string validation_case_chip(const ValidationCaseFile& c, const config::Catalog& catalog);

}  // namespace kcsim

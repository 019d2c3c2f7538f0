// The entry points' own folder for the files they write.
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <stdlib.h>

#include "configs/loader/catalog.hpp"
#include "tests/fuzz/fuzz_inputs.hpp"

namespace kcsim::fuzz {
namespace {

class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kcsim-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot make " + pattern);
    path_ = pattern;
    std::filesystem::create_directory(path_ / "sweeps");
    // A sweep's base_file "../scenarios/x.textproto" reads as it does from configs/sweeps/.
    auto root = std::filesystem::absolute(config::Catalog::default_root());
    for (const char* folder :
         {"scenarios", "chips", "models", "clusters", "runtimes", "validation"}) {
      std::error_code error;
      std::filesystem::create_directory_symlink(root / folder, path_ / folder, error);
    }
  }
  ~ScratchFolder() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

const std::filesystem::path& scratch_folder() {
  static const ScratchFolder folder;
  return folder.path();
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace kcsim::fuzz

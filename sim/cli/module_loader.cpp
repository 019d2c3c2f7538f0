#include "sim/cli/module_loader.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace kcsim {
namespace {

std::filesystem::path module_path(const char* what, const char* file) {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw std::runtime_error(
        std::string("cannot find the ") + what +
        " module: /proc/self/exe, the binary it sits next to, is unreadable (" + error.message() +
        ")");
  }
  return (self.parent_path() / KCSIM_MODULE_DIR / file).lexically_normal();
}

}  // namespace

void* load_module_entry(const char* what, const char* file, const char* entry, int flags) {
  std::filesystem::path path = module_path(what, file);
  // A module binds its own symbols at load (-z now), so one that does not fit this binary fails
  // here, whole; the libraries it loads bind as they were built to.
  void* module = dlopen(path.c_str(), flags);
  if (!module) {
    std::string why = dlerror();
    throw std::runtime_error(std::string("cannot load the ") + what + " module " + path.string() +
                             " (" + why + "); kcsim looks for it at " KCSIM_MODULE_DIR "/" + file +
                             " from its binary's folder, where the build puts it");
  }
  void* symbol = dlsym(module, entry);
  if (!symbol) {
    throw std::runtime_error(std::string("the ") + what + " module " + path.string() + " has no " +
                             entry + " entry point");
  }
  return symbol;
}

}  // namespace kcsim

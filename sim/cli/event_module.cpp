// event_engine() for the kcsim command: the engine is the module kcsim_event.so, loaded on the
// first event-engine run. It sits at KCSIM_EVENT_MODULE, a path relative to the folder of the
// running binary (bin/kcsim and lib/kcsim/kcsim_event.so, in the build tree as when installed).
// The module leaves kcsim's own functions undefined: the binary exports them (ENABLE_EXPORTS).
#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "sim/event_engine.hpp"

namespace kcsim {
namespace {

std::filesystem::path module_path() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw std::runtime_error(
        "cannot find the event engine module: /proc/self/exe, the binary "
        "it sits next to, is unreadable (" +
        error.message() + ")");
  }
  return (self.parent_path() / KCSIM_EVENT_MODULE).lexically_normal();
}

const EventEngine* load_module() {
  std::filesystem::path path = module_path();
  // The module binds its own symbols at load (-z now), so one that does not fit this binary fails
  // here, whole; the libraries it loads, SimGrid's, bind lazily.
  void* module = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (!module) {
    std::string why = dlerror();
    throw std::runtime_error("cannot load the event engine module " + path.string() + " (" + why +
                             "); kcsim looks for it at " KCSIM_EVENT_MODULE
                             " from its binary's folder, where the build puts it");
  }
  auto entry = reinterpret_cast<decltype(&kcsim_event_engine)>(dlsym(module, "kcsim_event_engine"));
  if (!entry) {
    throw std::runtime_error("the event engine module " + path.string() +
                             " has no kcsim_event_engine entry point");
  }
  return entry();
}

}  // namespace

const EventEngine& event_engine() {
  // Loaded once; a failed load throws and the next call tries again.
  static const EventEngine* engine = load_module();
  return *engine;
}

}  // namespace kcsim

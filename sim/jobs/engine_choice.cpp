#include "sim/jobs/engine_choice.hpp"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "configs/loader/name_lists.hpp"

#include "sim/engines/analytical/analytical_engine.hpp"
#include "sim/engines/event/event_engine.hpp"

namespace kcsim {

namespace {

// The engines by name; the event engine is reached (and loaded) only when it is chosen.
struct EngineEntry {
  std::string_view name;
  const Engine& (*reach)();
};
const std::vector<EngineEntry>& engines() {
  static const std::vector<EngineEntry> kEngines = {
      {"analytical", analytical_engine},
      {"event", []() -> const Engine& { return event_engine(); }}};
  return kEngines;
}

}  // namespace

const Engine& engine_named(std::string_view name, const Origin& origin, const std::string& field) {
  if (const EngineEntry* entry = find_named(engines(), name)) return entry->reach();
  throw_input_error(origin, field,
                    fmt::format("unknown engine \"{}\"; available: {}", name, engine_names()));
}

bool known_engine(std::string_view name) { return find_named(engines(), name) != nullptr; }

std::string engine_names() { return fmt::format("{}", fmt::join(names_of(engines()), ", ")); }

}  // namespace kcsim

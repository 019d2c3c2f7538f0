#include "sim/jobs/engine_choice.hpp"

#include <fmt/format.h>

#include "sim/engines/analytical/analytical_engine.hpp"
#include "sim/engines/event/event_engine.hpp"

namespace kcsim {

const Engine& engine_named(std::string_view name, const Origin& origin, const std::string& field) {
  if (name == "analytical") return analytical_engine();
  if (name == "event") return event_engine();
  throw_input_error(origin, field,
                    fmt::format("unknown engine \"{}\"; available: {}", name, engine_names()));
}

bool known_engine(std::string_view name) { return name == "analytical" || name == "event"; }

std::string engine_names() { return "analytical, event"; }

}  // namespace kcsim

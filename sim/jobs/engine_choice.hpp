// A job's engine, chosen once, by name, where the name enters (a scenario's `engine`, a sweep's,
// a command's --engine): the analytical engine, or the event engine (loaded on first use).
#pragma once

#include <string>
#include <string_view>

#include "configs/loader/errors.hpp"
#include "sim/engines/engine.hpp"

namespace kcsim {

// The engine named `name`; an InputError at `origin`, naming `field`, for any other name.
const Engine& engine_named(std::string_view name, const Origin& origin, const std::string& field);

// Whether engine_named takes `name` (without loading the engine).
bool known_engine(std::string_view name);

// "analytical, event": the names engine_named takes.
std::string engine_names();

}  // namespace kcsim

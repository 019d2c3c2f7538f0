// A Timeline as a Chrome trace (the JSON "Trace Event Format"), which ui.perfetto.dev and
// chrome://tracing open as is. Each Timeline process is a trace process, each track a thread,
// each counter a counter track. Times are written in microseconds with three decimals.
//
// The output is deterministic: metadata first, then events sorted by (time, process, thread),
// the longer of two spans that start together first (so it encloses the other), then the
// order they were added. Writing streams in chunks, so a trace of millions of spans needs
// little memory beyond the Timeline itself.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include "analysis/timeline.hpp"

namespace kcsim {

std::string to_chrome_trace_json(const Timeline& timeline);

void write_chrome_trace(const Timeline& timeline, std::ostream& out);

// Written to a temporary file beside `path` and renamed into place; throws InputError naming
// the path if it cannot be written.
void write_chrome_trace(const Timeline& timeline, const std::filesystem::path& path);

}  // namespace kcsim

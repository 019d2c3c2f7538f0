// JSON string literals written straight into a buffer, for writers that stream large outputs
// instead of building a document in memory.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace kcsim {

// Appends `text` as a quoted JSON string: quotes, backslashes and control characters escaped,
// and bytes that are not valid UTF-8 replaced by U+FFFD so that any parser accepts the result.
void append_json_string(fmt::memory_buffer& out, std::string_view text);

}  // namespace kcsim

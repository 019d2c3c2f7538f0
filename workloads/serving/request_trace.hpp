// Request traces as CSV: a header row naming the timestamp, input-token and output-token
// columns, then one request per row. Microsoft's Azure LLM inference traces
// (TIMESTAMP,ContextTokens,GeneratedTokens) read with the default column names. Timestamps are
// seconds or datetimes ("2023-11-16 18:15:46.6805900", as Azure writes them); both are rebased
// so the first row arrives at 0.
#pragma once

#include <string>

#include "workloads/serving/request.hpp"

namespace kcsim::serving {

struct TraceColumns {
  std::string timestamp = "TIMESTAMP";
  std::string input_tokens = "ContextTokens";
  std::string output_tokens = "GeneratedTokens";
};

// Throws InputError naming the file, line, column and field for a missing column, a value that
// does not parse, a token count below 1 (input) or 0 (output: 0 reads as 1, since a request
// yields at least its first token), or a timestamp earlier than the row before.
RequestStream read_request_trace(const std::string& path, const TraceColumns& columns = {});

// Seconds since 1970-01-01 of "YYYY-MM-DD HH:MM:SS[.fraction]" (a 'T' may separate date and
// time); nullopt-like NaN when the text is not such a datetime.
double parse_datetime_s(const std::string& text);

}  // namespace kcsim::serving

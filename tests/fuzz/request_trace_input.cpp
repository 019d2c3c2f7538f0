// Request traces (CSV) as `kcsim serve --trace FILE` reads them.
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "tests/fuzz/fuzz_inputs.hpp"
#include "workloads/serving/request_trace.hpp"

namespace kcsim::fuzz {

void read_request_trace(std::string_view bytes) {
  const auto path = scratch_folder() / "trace.csv";
  write_file(path, bytes);
  serving::RequestStream requests = serving::read_request_trace(path.string());
  // What the serving loop takes for granted of a stream it is given.
  double previous = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    if (!std::isfinite(r.arrival_s) || r.arrival_s < previous || r.input_tokens < 1 ||
        r.output_tokens < 1 || r.id != static_cast<int64_t>(i)) {
      throw std::logic_error(fmt::format(
          "request {} read as id {}, arrival {} s (the one before: {} s), {} input and {} "
          "output tokens",
          i, r.id, r.arrival_s, previous, r.input_tokens, r.output_tokens));
    }
    previous = r.arrival_s;
  }
}

}  // namespace kcsim::fuzz

// Request streams for serving-loop tests: Poisson arrivals with fixed or uniform lengths.
#pragma once

#include <cstdint>
#include <optional>

#include "workloads/serving/request_stream.hpp"

namespace kcsim::test {

inline serving::RequestStream stream(double rate, int64_t count, serving::Lengths input,
                                     serving::Lengths output, uint64_t seed = 1) {
  serving::Arrivals arrivals;
  arrivals.rate_per_s = rate;
  return serving::synthetic_requests(arrivals, input, output, count, std::nullopt, seed);
}

inline serving::Lengths fixed(int64_t n) {
  serving::Lengths l;
  l.fixed = n;
  return l;
}

inline serving::Lengths uniform(int64_t min, int64_t max) {
  serving::Lengths l;
  l.kind = serving::Lengths::Kind::Uniform;
  l.min = min;
  l.max = max;
  return l;
}

}  // namespace kcsim::test

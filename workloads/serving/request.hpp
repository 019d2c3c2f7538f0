// A request to a serving system: when it arrives and how many tokens go in and come out.
#pragma once

#include <cstdint>
#include <vector>

namespace kcsim::serving {

struct Request {
  int64_t id = 0;
  double arrival_s = 0;
  int64_t input_tokens = 1;
  int64_t output_tokens = 1;
};

using RequestStream = std::vector<Request>;

}  // namespace kcsim::serving

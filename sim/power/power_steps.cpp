#include "sim/power/power_steps.hpp"

#include <algorithm>

namespace kcsim {

std::vector<PowerSample> bounded_power_steps(const std::vector<PowerSample>& steps, double end_s,
                                             size_t max_samples) {
  std::vector<PowerSample> out;
  if (steps.empty()) return out;
  if (steps.size() + 1 <= max_samples || max_samples < 2) {
    out = steps;
    if (end_s > steps.back().time_s) out.push_back({end_s, steps.back().power_w});
    return out;
  }
  size_t bins = max_samples - 1;
  double begin_s = steps.front().time_s;
  double width = (end_s - begin_s) / static_cast<double>(bins);
  size_t s = 0;
  for (size_t b = 0; b < bins; ++b) {
    double begin = begin_s + width * static_cast<double>(b);
    double end = b + 1 == bins ? end_s : begin_s + width * static_cast<double>(b + 1);
    while (s + 1 < steps.size() && steps[s + 1].time_s <= begin) ++s;
    double joules = 0;
    for (size_t k = s; k < steps.size() && steps[k].time_s < end; ++k) {
      double from = std::max(begin, steps[k].time_s);
      double to = k + 1 < steps.size() ? std::min(end, steps[k + 1].time_s) : end;
      if (to > from) joules += steps[k].power_w * (to - from);
    }
    out.push_back({begin, end > begin ? joules / (end - begin) : steps[s].power_w});
  }
  out.push_back({end_s, out.back().power_w});
  return out;
}

}  // namespace kcsim

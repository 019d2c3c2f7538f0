// Power as steps over a run (each sample's power held until the next), bounded for output: a
// final sample at the run's end, and past a sample limit the steps averaged into equal bins,
// which keeps their integral.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/power/energy_ledger.hpp"

namespace kcsim {

// The most samples a series of a run keeps for output (kcsim sweep's /series).
inline constexpr size_t kMaxSeriesSamples = 20000;

// `steps` in time order from the run's start; the result ends with a sample at `end_s` that
// repeats the power before it. More than `max_samples` (at least 2) become `max_samples - 1`
// bins and that final sample.
std::vector<PowerSample> bounded_power_steps(const std::vector<PowerSample>& steps, double end_s,
                                             size_t max_samples);

}  // namespace kcsim

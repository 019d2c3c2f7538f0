// Device power from what it is doing: P = idle + (tdp - idle) * (c * compute_busy * s^a
// + (1 - c) * memory_busy), c the chip's compute_share, s the DVFS relative frequency and a
// its power exponent. Links and servers are accounted by the engine.
#pragma once

#include "hw-models/chip_model.hpp"

namespace kcsim {

// Watts a device draws while its compute units are busy `compute_busy` of the time and its
// memory `memory_busy` of the time (both 0..1), at relative frequency `speed`.
double device_power_w(const ChipModel& chip, double compute_busy, double memory_busy,
                      double speed = 1.0);

}  // namespace kcsim

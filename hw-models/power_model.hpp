// Device power from what it is doing:
//   P = idle + held + (tdp - idle) * (kc * compute_busy * s^a + km * memory_busy + kp * pim_busy)
// never above tdp. `held` (active_idle_w - idle_w) is drawn while a job holds the device, kernel
// or not; kc is the chip's compute_share, km its memory_share, s the DVFS relative frequency and
// a its power exponent; kp = km * pim bandwidth multiplier * pim energy per byte (in-memory work
// moves its bytes faster and cheaper). Links and servers are accounted by the engine.
#pragma once

#include "hw-models/chip_model.hpp"
#include "hw-models/op_cost.hpp"

namespace kcsim {

// What a device is doing over an interval: busy fractions (0..1) of its compute units, its
// memory and its PIM units, the DVFS state's relative speed, and whether a job holds it.
struct DeviceActivity {
  double compute_busy = 0;
  double memory_busy = 0;
  double pim_busy = 0;
  double speed = 1.0;
  bool held = true;

  static DeviceActivity of(const OpCost& cost, double speed = 1.0) {
    return {cost.compute_busy, cost.memory_busy, cost.pim_busy, speed, true};
  }
  static DeviceActivity waiting() { return {0, 0, 0, 1.0, true}; }
  static DeviceActivity idle() { return {0, 0, 0, 1.0, false}; }
};

// The parts of a device's draw; they add up to at most the TDP (a device at its power limit
// scales its dynamic parts down together).
struct DevicePower {
  double idle_w = 0;     // the floor of a device with no job
  double held_w = 0;     // extra while a job holds it (clocks up between kernels)
  double compute_w = 0;  // compute units, by utilisation and frequency
  double memory_w = 0;   // memory traffic, in-memory (PIM) work included
  double total_w() const { return idle_w + held_w + compute_w + memory_w; }
};

DevicePower device_power(const ChipModel& chip, const DeviceActivity& activity);

// Watts a device draws while its compute units are busy `compute_busy` of the time and its
// memory `memory_busy` of the time (both 0..1), at relative frequency `speed`, held by a job.
double device_power_w(const ChipModel& chip, double compute_busy, double memory_busy,
                      double speed = 1.0);

// Watts while a job holds the device and no kernel runs.
double held_idle_w(const ChipModel& chip);

}  // namespace kcsim

// Device power from what is busy, at a DVFS state of relative speed s = f / f0 and voltage
// v = V / V0 (configs/schema/chip.proto, Power):
//   P = idle + held v^2 s + v^2 (matrix_w u_matrix + vector_w u_vector + onchip_w u_memory)
//       + dram_w u_memory
// and, in a collective, idle + (held + collective_w) v^2 s.
// The parts that switch on the core supply spend C V^2 per operation; their power is that
// energy times the rate the work goes at. Compute-bound work goes at the clock's pace, so it
// draws as V^2 f; memory-bound work goes at the memory's pace whatever the clock, so a lower
// clock saves on it only through V, and its DRAM energy not at all. op_cost prices an op's
// energy at its state (OpCost::held_j, compute_j, memory_j); this file turns energies and
// states into watts. The power limit (dvfs.hpp) keeps the total at or under the TDP or a cap.
#pragma once

#include "hw-models/chip_model.hpp"
#include "hw-models/op_cost.hpp"

namespace kcsim {

// The parts of a device's draw, watts.
struct DevicePower {
  double idle_w = 0;     // the floor of a device with no job
  double held_w = 0;     // clock tree and leakage while a job holds it (between kernels too)
  double compute_w = 0;  // matrix and vector units switching
  double memory_w = 0;   // memory traffic: DRAM and the on-chip path that carries it; PIM work
  double total_w() const { return idle_w + held_w + compute_w + memory_w; }
};

// A device doing `cost` (priced at its state by op_cost), averaged over the cost's time.
DevicePower busy_power(const ChipModel& chip, const OpCost& cost);
// A device held by a job at `state` with no kernel running (waiting on the host, a pipeline
// bubble).
DevicePower waiting_power(const ChipModel& chip, const DvfsPoint& state = {});
// A device running a collective's kernels at `state` (reducing, copying, polling for data).
DevicePower collective_power(const ChipModel& chip, const DvfsPoint& state = {});
// A device no job holds.
DevicePower idle_power(const ChipModel& chip);

// Watts while a job holds the device at its nominal state and no kernel runs.
double held_idle_w(const ChipModel& chip);

}  // namespace kcsim

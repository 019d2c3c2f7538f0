// Roofline cost of an op on a chip at a DVFS state: max(compute time, memory time), never below
// the chip's least kernel time, plus the launch gap, and the energy its work spends
// (hw-models/power_model.hpp).
#pragma once

#include <optional>
#include <vector>

#include "hw-models/chip_model.hpp"
#include "hw-models/op.hpp"

namespace kcsim {

struct OpCost {
  double time_s = 0;
  double compute_s = 0;  // time at the compute roof (peak x shape efficiency)
  double memory_s = 0;   // time at the memory roof
  double flops = 0;
  double bytes = 0;
  // Busy fractions of the op's time, for the power model: the bound resource is busy all the
  // time, the other for its share.
  double compute_busy = 0;
  double memory_busy = 0;
  // Time spent in processing-in-memory units (chips with a Pim), and its busy fraction: that
  // work moves its bytes inside the memory and never reaches the memory roof above.
  double pim_s = 0;
  double pim_busy = 0;
  // Energy above the device's idle floor, joules: the clock tree and leakage of the held device
  // over the op's whole time (launch gaps included), the compute units' switching, and memory
  // traffic (DRAM and the on-chip path that carries it; in-memory work for PIM).
  double held_j = 0;
  double compute_j = 0;
  double memory_j = 0;
  double energy_j() const { return held_j + compute_j + memory_j; }
  // The DVFS state's relative clock integrated over the op's time (clock_s / time_s is the
  // average relative clock).
  double clock_s = 0;

  OpCost& operator+=(const OpCost& other);
  // Every extensive figure (times, work, energy) times `factor`; busy fractions unchanged.
  OpCost scaled(double factor) const;
  // The same work spread over `factor` times the time by a power limiter: the held clock runs
  // the longer time, the units are busy a smaller share of it.
  OpCost stretched(double factor) const;
  // The relative clock averaged over the op's time (`otherwise` for an op of no time).
  double mean_clock(double otherwise = 1) const {
    return time_s > 0 ? clock_s / time_s : otherwise;
  }
  bool compute_bound() const { return compute_s >= memory_s; }
};

// Efficiency of a GEMM-like op of this shape: gemm_max * prod over m, n, k of d / (d + half).
double gemm_efficiency(const config::Efficiency& eff, double m, double n, double k);
// The same with `dtype`'s own curve (ChipModel::gemm_curve).
double gemm_efficiency(const ChipModel& chip, Dtype dtype, double m, double n, double k);

// How ops are issued: the DVFS state (its relative compute speed and voltage), and the host time
// to dispatch one op. The host cannot run ahead of its own dispatch, so an op takes at least
// that long; short ops of an eager framework are bound by it.
// `gemm_scale` is the share of the chip's GEMM efficiency the runtime's kernels reach (1 for
// kernels built for the chip; less for a library without its newest matrix instructions).
// `kernel_gap_s` is the device's gap between back-to-back kernels as the runtime launches them
// (negative: the chip's op_overhead_us); `attention_dtype` the format attention's matrix
// products run in when it is not the ops' own (8-bit GEMMs beside 16-bit attention).
struct Execution {
  DvfsPoint state;
  double dispatch_s = 0;
  double gemm_scale = 1.0;
  double kernel_gap_s = -1;
  std::optional<Dtype> attention_dtype = std::nullopt;
};

OpCost op_cost(const ChipModel& chip, const Op& op, Dtype dtype, const Execution& exec = {});
// The ops run back to back; an op marked `fused` joins the kernel of the one before it, which
// pays one launch overhead and one dispatch for all of them.
OpCost ops_cost(const ChipModel& chip, const std::vector<Op>& ops, Dtype dtype,
                const Execution& exec = {});

}  // namespace kcsim

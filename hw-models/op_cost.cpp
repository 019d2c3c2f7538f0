#include "hw-models/op_cost.hpp"

#include <algorithm>
#include <optional>

namespace kcsim {

OpCost& OpCost::operator+=(const OpCost& other) {
  // Busy fractions combine weighted by time.
  double total = time_s + other.time_s;
  if (total > 0) {
    compute_busy = (compute_busy * time_s + other.compute_busy * other.time_s) / total;
    memory_busy = (memory_busy * time_s + other.memory_busy * other.time_s) / total;
    pim_busy = (pim_busy * time_s + other.pim_busy * other.time_s) / total;
  }
  pim_s += other.pim_s;
  held_j += other.held_j;
  clock_s += other.clock_s;
  compute_j += other.compute_j;
  memory_j += other.memory_j;
  time_s = total;
  compute_s += other.compute_s;
  memory_s += other.memory_s;
  flops += other.flops;
  bytes += other.bytes;
  return *this;
}

OpCost OpCost::scaled(double factor) const {
  OpCost c = *this;
  c.time_s *= factor;
  c.compute_s *= factor;
  c.memory_s *= factor;
  c.flops *= factor;
  c.bytes *= factor;
  c.pim_s *= factor;
  c.held_j *= factor;
  c.clock_s *= factor;
  c.compute_j *= factor;
  c.memory_j *= factor;
  return c;
}

OpCost OpCost::stretched(double factor) const {
  OpCost c = *this;
  c.time_s *= factor;
  c.clock_s *= factor;
  c.held_j *= factor;
  c.compute_busy /= factor;
  c.memory_busy /= factor;
  c.pim_busy /= factor;
  return c;
}

namespace {

double curve_efficiency(double max, double half, double m, double n, double k) {
  auto along = [half](double d) { return d > 0 ? d / (d + half) : 1.0; };
  return max * along(m) * along(n) * along(k);
}

}  // namespace

double gemm_efficiency(const config::Efficiency& eff, double m, double n, double k) {
  return curve_efficiency(eff.gemm_max(), eff.gemm_half_dim(), m, n, k);
}

double gemm_efficiency(const ChipModel& chip, Dtype dtype, double m, double n, double k) {
  GemmCurve curve = chip.gemm_curve(dtype);
  return curve_efficiency(curve.max, curve.half_dim, m, n, k);
}

namespace {

// The op run inside the memory when the chip has PIM units, the op is GEMV-like (few token
// rows) and they finish it sooner than the processor would (`processor_s`).
std::optional<OpCost> pim_cost(const ChipModel& chip, const Op& op, double processor_s) {
  if (!chip.config().has_pim()) return std::nullopt;
  const auto& pim = chip.config().pim();
  bool gemv_like = (op.kind == OpKind::Gemm || op.kind == OpKind::AttnGemm) && op.m > 0 &&
                   op.m <= pim.max_rows();
  bool kv_cache_read = op.kind == OpKind::Vector && op.name == "kv_read";
  if (!(gemv_like || kv_cache_read) || op.bytes <= 0) return std::nullopt;
  double bandwidth = chip.memory_bandwidth_bytes_per_s() * chip.efficiency().memory_max() *
                     pim.bandwidth_multiplier();
  double pim_s = std::max(op.bytes / bandwidth, op.flops / (pim.tflops() * 1e12));
  if (!(pim_s < processor_s)) return std::nullopt;
  OpCost cost;
  cost.flops = op.flops;
  cost.bytes = op.bytes;
  cost.pim_s = pim_s;
  cost.time_s = pim_s;
  // The bytes move inside the memory at a fraction of a DRAM byte's energy (the in-memory
  // compute included in that figure), off the core supply.
  cost.memory_j = chip.dram_w() * op.bytes / chip.memory_bandwidth_bytes_per_s() *
                  pim.energy_per_byte_relative();
  return cost;
}

// Switching energy of the op's work at the state's voltage (hw-models/power_model.hpp): matrix
// FLOPs over the nominal peak, vector work over its nominal rate, DRAM bytes over the datasheet
// bandwidth, each in seconds of full-rate work times the part's full-rate watts. A small-batch
// GEMV costs its FLOPs, not the cycles it waits on memory. A runtime whose kernels reach only
// `gemm_scale` of the chip's GEMM efficiency keeps the SMs as busy for fewer FLOPs (an older
// instruction path moves operands through the register files): each FLOP costs 1 / gemm_scale
// as much.
void add_work_energy(const ChipModel& chip, const Op& op, Dtype dtype, const Execution& exec,
                     OpCost& cost) {
  double v2 = exec.state.voltage * exec.state.voltage;
  double peak = chip.peak_ops_per_s(dtype);
  if (op.flops > 0) {
    bool matrix = op.kind == OpKind::Gemm || op.kind == OpKind::AttnGemm;
    double full_rate_s = matrix ? op.flops / (peak * std::max(exec.gemm_scale, 0.05))
                                : op.flops / (peak * chip.efficiency().vector_max());
    cost.compute_j = v2 * (matrix ? chip.matrix_w() : chip.vector_w()) * full_rate_s;
  }
  if (op.bytes > 0) {
    double full_rate_s = op.bytes / chip.memory_bandwidth_bytes_per_s();
    cost.memory_j = (chip.dram_w() + v2 * chip.onchip_w()) * full_rate_s;
  }
}

// Device-side busy time of an op at the roofline, without launch costs.
OpCost roofline(const ChipModel& chip, const Op& op, Dtype ops_dtype, const Execution& exec) {
  const auto& eff = chip.efficiency();
  Dtype dtype =
      op.kind == OpKind::AttnGemm && exec.attention_dtype ? *exec.attention_dtype : ops_dtype;
  double peak = chip.peak_ops_per_s(dtype) * exec.state.speed;
  double efficiency = 1.0;
  switch (op.kind) {
    case OpKind::Gemm:
    case OpKind::AttnGemm:
      // A product too thin for the matrix units' tiles (decode attention of one query row per
      // head) runs no slower than the vector units would run it.
      efficiency = std::max(gemm_efficiency(chip, dtype, op.m, op.n, op.k) * exec.gemm_scale,
                            eff.vector_max());
      break;
    case OpKind::Vector:
    case OpKind::Embedding:
      efficiency = eff.vector_max();
      break;
  }
  OpCost cost;
  cost.flops = op.flops;
  cost.bytes = op.bytes;
  cost.compute_s = op.flops > 0 ? op.flops / (peak * efficiency) : 0;
  cost.memory_s =
      op.bytes > 0 ? op.bytes / (chip.memory_bandwidth_bytes_per_s() * eff.memory_max()) : 0;
  cost.time_s = std::max(cost.compute_s, cost.memory_s);
  if (auto pim = pim_cost(chip, op, cost.time_s)) return *pim;
  add_work_energy(chip, op, dtype, exec, cost);
  return cost;
}

// One kernel: its parts back to back (never less than the chip's least kernel time), plus one
// launch gap, and never shorter than the host's dispatch (an eager framework's host issues each
// kernel as the one before it ends, so a kernel shorter than the dispatch leaves the device
// waiting, held, for the rest).
OpCost launch(const ChipModel& chip, OpCost kernel, const Execution& exec) {
  const auto& eff = chip.efficiency();
  double gap = exec.kernel_gap_s >= 0 ? exec.kernel_gap_s : eff.op_overhead_us() * 1e-6;
  double busy = std::max(kernel.time_s, eff.min_kernel_us() * 1e-6);
  kernel.time_s = std::max(busy + gap, exec.dispatch_s);
  kernel.compute_busy = kernel.time_s > 0 ? kernel.compute_s / kernel.time_s : 0;
  kernel.memory_busy = kernel.time_s > 0 ? kernel.memory_s / kernel.time_s : 0;
  kernel.pim_busy = kernel.time_s > 0 ? kernel.pim_s / kernel.time_s : 0;
  kernel.held_j = chip.held_w(exec.state) * kernel.time_s;
  kernel.clock_s = exec.state.speed * kernel.time_s;
  return kernel;
}

}  // namespace

OpCost op_cost(const ChipModel& chip, const Op& op, Dtype dtype, const Execution& exec) {
  return launch(chip, roofline(chip, op, dtype, exec), exec);
}

OpCost ops_cost(const ChipModel& chip, const std::vector<Op>& ops, Dtype dtype,
                const Execution& exec) {
  OpCost total, kernel;
  bool open = false;
  for (const auto& op : ops) {
    OpCost part = roofline(chip, op, dtype, exec);
    if (open && op.fused) {
      kernel.time_s += part.time_s;
      kernel.compute_s += part.compute_s;
      kernel.memory_s += part.memory_s;
      kernel.pim_s += part.pim_s;
      kernel.compute_j += part.compute_j;
      kernel.memory_j += part.memory_j;
      kernel.flops += part.flops;
      kernel.bytes += part.bytes;
      continue;
    }
    if (open) total += launch(chip, kernel, exec);
    kernel = part;
    open = true;
  }
  if (open) total += launch(chip, kernel, exec);
  return total;
}

}  // namespace kcsim

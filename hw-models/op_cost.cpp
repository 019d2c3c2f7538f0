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
  time_s = total;
  compute_s += other.compute_s;
  memory_s += other.memory_s;
  flops += other.flops;
  bytes += other.bytes;
  return *this;
}

double gemm_efficiency(const config::Efficiency& eff, double m, double n, double k) {
  double half = eff.gemm_half_dim();
  auto along = [half](double d) { return d > 0 ? d / (d + half) : 1.0; };
  return eff.gemm_max() * along(m) * along(n) * along(k);
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
  return cost;
}

// Device-side busy time of an op at the roofline, without launch costs.
OpCost roofline(const ChipModel& chip, const Op& op, Dtype dtype, const Execution& exec) {
  const auto& eff = chip.efficiency();
  double peak = chip.peak_ops_per_s(dtype) * exec.speed;
  double efficiency = 1.0;
  switch (op.kind) {
    case OpKind::Gemm:
    case OpKind::AttnGemm:
      efficiency = gemm_efficiency(eff, op.m, op.n, op.k) * exec.gemm_scale;
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
  return cost;
}

// One kernel: its parts back to back, plus one launch overhead, and never shorter than the
// host's dispatch.
OpCost launch(const ChipModel& chip, OpCost kernel, const Execution& exec) {
  kernel.time_s = std::max(kernel.time_s + chip.efficiency().op_overhead_us() * 1e-6,
                           exec.dispatch_s);
  kernel.compute_busy = kernel.time_s > 0 ? kernel.compute_s / kernel.time_s : 0;
  kernel.memory_busy = kernel.time_s > 0 ? kernel.memory_s / kernel.time_s : 0;
  kernel.pim_busy = kernel.time_s > 0 ? kernel.pim_s / kernel.time_s : 0;
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

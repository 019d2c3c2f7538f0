#include "hw-models/op_cost.hpp"

#include <algorithm>

namespace kcsim {

OpCost& OpCost::operator+=(const OpCost& other) {
  // Busy fractions combine weighted by time.
  double total = time_s + other.time_s;
  if (total > 0) {
    compute_busy = (compute_busy * time_s + other.compute_busy * other.time_s) / total;
    memory_busy = (memory_busy * time_s + other.memory_busy * other.time_s) / total;
  }
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

OpCost op_cost(const ChipModel& chip, const Op& op, Dtype dtype, double speed) {
  const auto& eff = chip.efficiency();
  double peak = chip.peak_ops_per_s(dtype) * speed;
  double efficiency = 1.0;
  switch (op.kind) {
    case OpKind::Gemm:
    case OpKind::AttnGemm:
      efficiency = gemm_efficiency(eff, op.m, op.n, op.k);
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
  double busy = std::max(cost.compute_s, cost.memory_s);
  cost.time_s = busy + eff.op_overhead_us() * 1e-6;
  if (cost.time_s > 0) {
    cost.compute_busy = cost.compute_s / cost.time_s;
    cost.memory_busy = cost.memory_s / cost.time_s;
  }
  return cost;
}

OpCost ops_cost(const ChipModel& chip, const std::vector<Op>& ops, Dtype dtype, double speed) {
  OpCost total;
  for (const auto& op : ops) total += op_cost(chip, op, dtype, speed);
  return total;
}

}  // namespace kcsim

// A chip as the simulator sees it: checked figures from its catalog entry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chip.pb.h"
#include "configs/loader/dtype.hpp"

namespace kcsim {

class ChipModel {
 public:
  // Throws InputError naming the chip and the field when an essential figure is missing or
  // not positive (a peak, memory capacity and bandwidth, TDP).
  explicit ChipModel(config::Chip chip);

  const config::Chip& config() const { return *chip_; }
  const std::string& name() const { return chip_->name(); }
  const config::Efficiency& efficiency() const { return chip_->efficiency(); }

  bool supports(Dtype dtype) const;
  std::vector<Dtype> dtypes() const;
  // Dense peak in operations per second. Throws InfeasibleError naming the chip and the
  // dtypes it has when it lacks `dtype`.
  double peak_ops_per_s(Dtype dtype) const;
  // `dtype` when the chip has it; else its same-size twin (bf16 <-> fp16) when the chip has
  // that; else `dtype` (so that using it reports what the chip lacks).
  Dtype equivalent_dtype(Dtype dtype) const;

  double memory_capacity_bytes() const;
  double memory_bandwidth_bytes_per_s() const;
  // The chip-to-chip link per direction (scale-up, else the host link), bytes per second.
  double device_link_bytes_per_s() const;
  double device_link_latency_s() const;

  double idle_w() const { return chip_->power().idle_w(); }
  double tdp_w() const { return chip_->power().tdp_w(); }

 private:
  // Shared and never changed: copies of a model (one per resolved cluster, one per sweep point)
  // cost a pointer, not the whole catalog entry.
  std::shared_ptr<const config::Chip> chip_;
};

}  // namespace kcsim

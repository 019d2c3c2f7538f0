// A chip as the simulator sees it: checked figures from its catalog entry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chip.pb.h"
#include "configs/loader/dtype.hpp"

namespace kcsim {

// A DVFS operating point: its clock, and the compute speed and core voltage it gives relative to
// the nominal state (the clock the datasheet peaks hold at).
struct DvfsPoint {
  double frequency_mhz = 0;
  double speed = 1.0;
  double voltage = 1.0;
  // (V / V0)^2 times the relative speed: what the clock tree's and a collective's draw go with.
  double v2s() const { return voltage * voltage * speed; }
};

// A dtype's GEMM efficiency curve: gemm_max * prod_d d / (d + half_dim) over M, N and K.
struct GemmCurve {
  double max = 0.75;
  double half_dim = 64;
};

class ChipModel {
 public:
  // Throws InputError naming the chip and the field when an essential figure is missing or
  // not positive (a peak, memory capacity and bandwidth, TDP).
  explicit ChipModel(config::Chip chip);

  const config::Chip& config() const { return *chip_; }
  const std::string& name() const { return chip_->name(); }
  const config::Efficiency& efficiency() const { return chip_->efficiency(); }

  // Whether the catalog states, with a source, that the chip trains (chip.proto `trains`).
  bool trains() const { return chip_->has_trains(); }
  // Throws InfeasibleError naming the chip when it does not train.
  void require_trains() const;
  bool supports(Dtype dtype) const;
  std::vector<Dtype> dtypes() const;
  // Dense peak in operations per second. Throws InfeasibleError naming the chip and the
  // dtypes it has when it lacks `dtype`.
  double peak_ops_per_s(Dtype dtype) const;
  // The GEMM curve of `dtype`: its peak entry's gemm_max and gemm_half_dim where it gives them,
  // else the chip's Efficiency figures.
  GemmCurve gemm_curve(Dtype dtype) const;
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

  // The nominal clock: the listed state of relative speed 1 (0 when the chip lists none).
  double nominal_mhz() const { return nominal_mhz_; }
  // Core voltage relative to the nominal state's at `frequency_mhz`: the state's own figure
  // when it lists one, else the chip's linear curve down to its floor, else 1.
  double voltage_at(double frequency_mhz) const;
  // The listed DVFS states, fastest first, with their speed and voltage (the nominal state alone
  // when none is listed); worked out once.
  const std::vector<DvfsPoint>& listed_states() const { return *states_; }

  // Power terms of the model in hw-models/power_model.hpp, at the nominal state, watts. A chip
  // file that leaves one out gets a share of its dynamic range (tdp_w - idle_w), sized so that
  // a large GEMM draws about the TDP and a streaming op about half of it (kDefaultShares).
  double held_above_idle_w() const;
  double matrix_w() const;
  double vector_w() const;
  double onchip_w() const;  // the on-chip path at the datasheet bandwidth
  double collective_w() const;
  double dram_w() const;  // DRAM at the datasheet bandwidth
  // Watts above idle of a device held at `state` with no kernel running: the clock tree and
  // leakage, as V^2 f.
  double held_w(const DvfsPoint& state) const { return held_above_idle_w() * state.v2s(); }

 private:
  // Shared and never changed: copies of a model (one per resolved cluster, one per sweep point)
  // cost a pointer, not the whole catalog entry.
  std::shared_ptr<const config::Chip> chip_;
  double nominal_mhz_ = 0;
  std::shared_ptr<const std::vector<DvfsPoint>> states_;
};

}  // namespace kcsim

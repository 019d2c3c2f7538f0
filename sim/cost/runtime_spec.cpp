#include "sim/cost/runtime_spec.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kcsim {
namespace {

bool eight_bit(Dtype dtype) { return dtype_bytes(dtype) < 2; }

// The 16-bit format a chip runs attention in beside 8-bit GEMMs: bf16 when it has it, else fp16;
// nullopt when it has neither (the 8-bit format runs everything).
std::optional<Dtype> sixteen_bit(const ChipModel& chip) {
  if (chip.supports(config::BF16)) return config::BF16;
  if (chip.supports(config::FP16)) return config::FP16;
  return std::nullopt;
}

void check(const RuntimeSpec& r, const JobOrigin& origin) {
  if (r.dispatch_us < 0 || r.step_overhead_us < 0 || r.collective_floor_us < 0 ||
      r.sampling_us < 0 || r.collective_half_kib < 0) {
    throw_input_error(origin.at("runtime"), "runtime",
                      "dispatch_us, step_overhead_us, collective_floor_us, collective_half_kib "
                      "and sampling_us must not be negative");
  }
  if (!(r.gemm_efficiency_scale > 0 && r.gemm_efficiency_scale <= 1)) {
    throw_input_error(origin.at("runtime.gemm_efficiency_scale"), "runtime.gemm_efficiency_scale",
                      fmt::format("must lie in (0, 1] (got {})", r.gemm_efficiency_scale));
  }
  if (r.max_running_sequences < 1 || r.max_batched_tokens < 1) {
    throw_input_error(origin.at("runtime.max_running_sequences"), "runtime.max_running_sequences",
                      "max_running_sequences and max_batched_tokens must be at least 1");
  }
}

}  // namespace

config::Runtime runtime_profile(const std::string& name, const config::Catalog& catalog,
                                const JobOrigin& origin) {
  constexpr int kMaxDepth = 8;
  std::vector<config::Runtime> chain;
  try {
    chain.push_back(catalog.runtime(name));  // cached: no folder read per sweep point
  } catch (const InputError&) {
    auto known = catalog.names("runtimes");
    throw_input_error(origin.at("runtime.profile"), "runtime.profile",
                      fmt::format("unknown runtime \"{}\"; the catalog {} has: {}", name,
                                  (catalog.root() / "runtimes").string(), fmt::join(known, ", ")));
  }
  while (chain.back().has_profile()) {
    if (static_cast<int>(chain.size()) >= kMaxDepth || chain.back().profile() == name) {
      throw_input_error(origin.at("runtime.profile"), "runtime.profile",
                        fmt::format("runtime \"{}\": its chain of base profiles loops or runs "
                                    "deeper than {}",
                                    name, kMaxDepth));
    }
    chain.push_back(catalog.runtime(chain.back().profile(), origin.at("runtime.profile")));
  }
  config::Runtime merged = chain.back();
  for (auto it = chain.rbegin() + 1; it != chain.rend(); ++it) merged.MergeFrom(*it);
  merged.clear_profile();
  return merged;
}

Execution RuntimeSpec::execution(const ChipModel& chip, const DvfsPoint& state, double host_speed,
                                 Dtype dtype) const {
  Execution exec;
  exec.state = state;
  exec.dispatch_s = dispatch_us * 1e-6 / host_speed;
  exec.gemm_scale = gemm_efficiency_scale;
  exec.kernel_gap_s = kernel_gap_us >= 0 ? kernel_gap_us * 1e-6 : -1;
  if (eight_bit(dtype) && !low_precision_attention) exec.attention_dtype = sixteen_bit(chip);
  return exec;
}

double RuntimeSpec::collective_floor_s(double host_speed) const {
  return std::max(collective_floor_us * 1e-6, dispatch_us * 1e-6 / host_speed);
}

RuntimeSpec runtime_spec(const config::Runtime& runtime) {
  RuntimeSpec r;
  r.name = runtime.name();
  r.dispatch_us = runtime.dispatch_us();
  r.step_overhead_us = runtime.step_overhead_us();
  r.gemm_efficiency_scale = runtime.gemm_efficiency_scale();
  r.kernel_gap_us = runtime.has_kernel_gap_us() ? runtime.kernel_gap_us() : -1;
  r.collective_floor_us = runtime.collective_floor_us();
  r.collective_half_kib = runtime.collective_half_kib();
  r.sampling_us = runtime.sampling_us();
  r.max_running_sequences = runtime.max_running_sequences();
  r.max_batched_tokens = runtime.max_batched_tokens();
  r.low_precision_attention = runtime.low_precision_attention();
  r.quantize_activations = runtime.quantize_activations();
  r.pipeline_scatter_gather = runtime.pipeline_scatter_gather();
  r.tp_backward_overlap = runtime.tp_backward_overlap();
  r.collectives.chunk_bytes = runtime.collective_chunk_kib() * 1024;
  r.collectives.channels = runtime.collective_channels();
  return r;
}

RuntimeSpec resolve_runtime(const config::Runtime& job_runtime, const std::string& default_profile,
                            const ChipModel& chip, const config::Catalog& catalog,
                            const JobOrigin& origin) {
  const std::string profile = job_runtime.has_profile() ? job_runtime.profile() : default_profile;
  config::Runtime merged = runtime_profile(profile, catalog, origin);
  // The chip settings (the profile's, then the job's): an entry for the chip's kind first, then
  // one for its base chip, then its own; the job's own fields over everything.
  for (const auto& entry : job_runtime.chip_settings()) *merged.add_chip_settings() = entry;
  auto apply = [&merged](auto matches) {
    for (const auto& entry : merged.chip_settings()) {
      if (!matches(entry)) continue;
      if (entry.has_gemm_efficiency_scale()) {
        merged.set_gemm_efficiency_scale(entry.gemm_efficiency_scale());
      }
      if (entry.has_max_running_sequences()) {
        merged.set_max_running_sequences(entry.max_running_sequences());
      }
      if (entry.has_max_batched_tokens()) merged.set_max_batched_tokens(entry.max_batched_tokens());
      if (entry.has_kernel_gap_us()) merged.set_kernel_gap_us(entry.kernel_gap_us());
    }
  };
  const std::string& name = chip.name();
  std::string root = name;
  if (merged.chip_settings_size() > 0) {
    try {
      root = catalog.chip_root(name);
    } catch (const InputError&) {
      // A chip written in the scenario itself, not a catalog entry: its own name only.
    }
  }
  const std::string& kind = chip.config().kind();
  apply([&](const auto& e) { return e.has_chip_kind() && !kind.empty() && e.chip_kind() == kind; });
  apply([&](const auto& e) { return e.has_chip() && e.chip() == root; });
  if (root != name) apply([&](const auto& e) { return e.has_chip() && e.chip() == name; });
  config::Runtime own = job_runtime;
  own.clear_chip_settings();
  merged.MergeFrom(own);
  RuntimeSpec spec = runtime_spec(merged);
  spec.name = job_runtime.has_name() ? job_runtime.name() : profile;
  check(spec, origin);
  return spec;
}

}  // namespace kcsim

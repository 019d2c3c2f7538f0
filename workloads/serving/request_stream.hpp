// Synthetic request streams: arrivals (Poisson, or gamma with a coefficient of variation for
// burstiness) and token lengths (fixed, uniform, lognormal, or pairs drawn from a trace), all
// from one seed.
#pragma once

#include <cstdint>
#include <optional>

#include "workloads/serving/random.hpp"
#include "workloads/serving/request.hpp"

namespace kcsim::serving {

struct Arrivals {
  enum class Kind { Poisson, Gamma };
  Kind kind = Kind::Poisson;
  double rate_per_s = 1;
  double cv = 1;  // gamma: coefficient of variation of the gaps (1 is Poisson)
};

struct Lengths {
  enum class Kind { Fixed, Uniform, Lognormal };
  Kind kind = Kind::Fixed;
  int64_t fixed = 128;
  int64_t min = 1, max = 1;  // uniform bounds; lognormal draws are clamped to [min, max]
  double mean = 128;         // lognormal mean
  double sigma = 0.5;        // lognormal: standard deviation of the log
};

// One length drawn from `lengths`.
int64_t draw_length(const Lengths& lengths, Random& random);

// Requests until `count` have arrived or the next would arrive after `duration_s` (either may
// be left out, not both). Input and output lengths come from the distributions, or, when
// `trace` is given, as (input, output) pairs drawn uniformly from its requests.
RequestStream synthetic_requests(const Arrivals& arrivals, const Lengths& input,
                                 const Lengths& output, std::optional<int64_t> count,
                                 std::optional<double> duration_s, uint64_t seed,
                                 const RequestStream* trace = nullptr);

// The first `count` requests of a trace, or those arriving within `duration_s`.
RequestStream truncate_requests(RequestStream requests, std::optional<int64_t> count,
                                std::optional<double> duration_s);

}  // namespace kcsim::serving

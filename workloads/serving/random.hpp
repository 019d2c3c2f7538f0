// A seeded random source whose draws are the same on every platform: std::mt19937_64 (its
// output is fixed by the standard) turned into uniform, exponential, normal, gamma and lognormal
// draws by our own formulas, since std::*_distribution output is implementation-defined.
#pragma once

#include <cstdint>
#include <random>

namespace kcsim::serving {

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in (0, 1]: safe under a logarithm.
  double uniform_open_zero() { return 1.0 - uniform(); }
  // Uniform integer in [lo, hi].
  int64_t uniform_int(int64_t lo, int64_t hi);
  double exponential(double mean);
  double normal();  // standard normal (Box-Muller, one draw per pair of uniforms)
  // Gamma with this shape and scale (Marsaglia and Tsang 2000; shape < 1 by the boost
  // Gamma(a) = Gamma(a + 1) * U^(1/a)).
  double gamma(double shape, double scale);
  // exp(mu + sigma * N(0, 1)).
  double lognormal(double mu, double sigma);

 private:
  std::mt19937_64 engine_;
};

}  // namespace kcsim::serving

#include "workloads/serving/random.hpp"

#include <cmath>
#include <numbers>

namespace kcsim::serving {

double Random::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

int64_t Random::uniform_int(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  auto span = static_cast<uint64_t>(hi - lo) + 1;
  // Rejection keeps every value equally likely.
  uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do {
    x = engine_();
  } while (x >= limit);
  return lo + static_cast<int64_t>(x % span);
}

double Random::exponential(double mean) { return -mean * std::log(uniform_open_zero()); }

double Random::normal() {
  double u1 = uniform_open_zero(), u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Random::gamma(double shape, double scale) {
  if (shape < 1.0) {
    double boost = std::pow(uniform_open_zero(), 1.0 / shape);
    return gamma(shape + 1.0, scale) * boost;
  }
  double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x = normal(), v = 1.0 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    double u = uniform_open_zero();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale;
  }
}

double Random::lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }

}  // namespace kcsim::serving

#include "workloads/serving/request_stream.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace kcsim::serving {

int64_t draw_length(const Lengths& lengths, Random& random) {
  switch (lengths.kind) {
    case Lengths::Kind::Fixed:
      return lengths.fixed;
    case Lengths::Kind::Uniform:
      return random.uniform_int(lengths.min, lengths.max);
    case Lengths::Kind::Lognormal: {
      // mu chosen so the (unclamped) mean is `mean`: E = exp(mu + sigma^2 / 2).
      double mu = std::log(lengths.mean) - lengths.sigma * lengths.sigma / 2.0;
      auto value = static_cast<int64_t>(std::llround(random.lognormal(mu, lengths.sigma)));
      return std::clamp(value, lengths.min, lengths.max);
    }
  }
  return lengths.fixed;
}

namespace {

double gap_s(const Arrivals& arrivals, Random& random) {
  double mean = 1.0 / arrivals.rate_per_s;
  if (arrivals.kind == Arrivals::Kind::Poisson) return random.exponential(mean);
  // Gamma gaps with shape k = 1 / cv^2 have mean k * scale and the requested cv.
  double shape = 1.0 / (arrivals.cv * arrivals.cv);
  return random.gamma(shape, mean / shape);
}

}  // namespace

RequestStream synthetic_requests(const Arrivals& arrivals, const Lengths& input,
                                 const Lengths& output, std::optional<int64_t> count,
                                 std::optional<double> duration_s, uint64_t seed,
                                 const RequestStream* trace) {
  if (!count && !duration_s) throw std::invalid_argument("a request count or a duration is needed");
  if (!(arrivals.rate_per_s > 0)) throw std::invalid_argument("the arrival rate must be positive");
  if (trace && trace->empty()) throw std::invalid_argument("the length trace has no requests");
  // Separate streams for gaps and lengths: changing a length distribution keeps the arrivals.
  Random gaps(seed), lengths(seed ^ 0x9e3779b97f4a7c15ULL);
  RequestStream requests;
  double t = 0;
  while (!count || static_cast<int64_t>(requests.size()) < *count) {
    t += gap_s(arrivals, gaps);
    if (duration_s && t > *duration_s) break;
    Request r;
    r.id = static_cast<int64_t>(requests.size());
    r.arrival_s = t;
    if (trace) {
      const auto& pick = (*trace)[static_cast<size_t>(
          lengths.uniform_int(0, static_cast<int64_t>(trace->size()) - 1))];
      r.input_tokens = pick.input_tokens;
      r.output_tokens = pick.output_tokens;
    } else {
      r.input_tokens = std::max<int64_t>(1, draw_length(input, lengths));
      r.output_tokens = std::max<int64_t>(1, draw_length(output, lengths));
    }
    requests.push_back(r);
  }
  return requests;
}

RequestStream truncate_requests(RequestStream requests, std::optional<int64_t> count,
                                std::optional<double> duration_s) {
  size_t keep = requests.size();
  if (count) keep = std::min(keep, static_cast<size_t>(std::max<int64_t>(0, *count)));
  if (duration_s) {
    auto end = std::find_if(requests.begin(), requests.begin() + static_cast<ptrdiff_t>(keep),
                            [&](const Request& r) { return r.arrival_s > *duration_s; });
    keep = static_cast<size_t>(end - requests.begin());
  }
  requests.resize(keep);
  return requests;
}

}  // namespace kcsim::serving

// Power steps bounded for output: under the limit they are kept, with a last sample at the end;
// over it they are averaged into equal bins that keep the integral.
#include <cmath>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "sim/engines/event/observers/power_series_observer.hpp"
#include "sim/power/power_steps.hpp"

using kcsim::PowerSample;

namespace {

double integral(const std::vector<PowerSample>& steps) {
  double sum = 0;
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    sum += steps[i].power_w * (steps[i + 1].time_s - steps[i].time_s);
  }
  return sum;
}

}  // namespace

TEST_CASE("power steps under the limit are kept, with the run's end", "[power][sweep]") {
  std::vector<PowerSample> steps{{0, 100}, {1, 300}, {1.5, 100}};
  auto out = kcsim::bounded_power_steps(steps, 4, 100);
  REQUIRE(out.size() == 4);
  CHECK(out.back().time_s == 4);
  CHECK(out.back().power_w == 100);
  CHECK(integral(out) == 100 * 1 + 300 * 0.5 + 100 * 2.5);
}

TEST_CASE("power steps over the limit become equal bins with the same integral", "[power][sweep]") {
  // A square wave: 1,000 W for 0.3 ms of every millisecond over 10 s, 200 W otherwise.
  std::vector<PowerSample> steps;
  for (int k = 0; k < 10000; ++k) {
    steps.push_back({k * 1e-3, 1000});
    steps.push_back({k * 1e-3 + 0.3e-3, 200});
  }
  auto out = kcsim::bounded_power_steps(steps, 10, 1001);
  REQUIRE(out.size() == 1001);
  CHECK(out.front().time_s == 0);
  CHECK(out.back().time_s == 10);
  CHECK(out[1].time_s == Catch::Approx(0.01));
  // Each 10 ms bin holds ten whole periods: the average, 0.3 x 1,000 + 0.7 x 200 W.
  for (size_t b = 0; b + 1 < out.size(); ++b) REQUIRE(out[b].power_w == Catch::Approx(440));
  CHECK(integral(out) == Catch::Approx(4400).epsilon(1e-12));
}

TEST_CASE("the power series observer sums held and busy devices", "[power][event]") {
  auto& spans = kcsim::event::span_signal();
  kcsim::event::PowerSeriesObserver observer(100, 500);
  observer.attach();
  spans.emit({0, "compute", "forward", 0.0, 1.0});
  spans.emit({1, "compute", "forward", 0.5, 2.0});
  spans.emit({1, "collectives", "tp collectives", 2.0, 3.0});  // not compute
  // Two observed devices standing for four, plus 50 W of devices outside the plan.
  auto series = observer.series(4.0, 2, 2.0, 50, 100);
  REQUIRE(series.names == std::vector<std::string>{"time_s", "device_power_w"});
  CHECK(series.columns[0] == std::vector<double>{0, 0.5, 1.0, 2.0, 4.0});
  CHECK(series.columns[1] == std::vector<double>{2 * (100 + 500) + 50, 2 * (500 + 500) + 50,
                                                 2 * (100 + 500) + 50, 2 * 200 + 50, 450});
}

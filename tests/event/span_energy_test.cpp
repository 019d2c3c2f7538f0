// The span-priced energy observer: the floor over the whole run for every device, plus each span's
// draw above it while the span runs; spans without a draw, and spans after it detaches, add
// nothing.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <optional>

#include "sim/engines/event/observers/span_energy.hpp"

using Catch::Matchers::WithinRel;
using namespace kcsim::event;

TEST_CASE("span energy: the floor for the run, and each span's own draw above it", "[event]") {
  std::optional<SpanEnergy> energy;
  energy.emplace(2, 100.0);
  energy->attach();
  span_signal().emit({0, "compute", "gemm", 1.0, 3.0, 400.0});          // 2 s at 300 W above
  span_signal().emit({1, "compute", "gemm", 0.0, 0.5, 250.0});          // 0.5 s at 150 W above
  span_signal().emit({1, "collectives", "collective", 0.5, 2.0, 0.0});  // no draw of its own
  double expected = 2 * 100.0 * 10.0 + 300.0 * 2.0 + 150.0 * 0.5;
  CHECK_THAT(energy->finish(10.0).device_j, WithinRel(expected, 1e-15));
  CHECK(energy->finish(10.0).memory_j == 0);
  energy.reset();  // its connection ends with it
  CHECK(span_signal().empty());
}

#include <map>
#include <utility>

#include <catch2/catch_test_macros.hpp>

#include "sim/cost/pipeline_schedule.hpp"

using kcsim::pipeline_schedule;

TEST_CASE("every micro-batch and chunk runs forward once, then backward once", "[sim][pipeline]") {
  for (int chunks : {1, 2, 4}) {
    for (int stage = 0; stage < 4; ++stage) {
      INFO("chunks " << chunks << " stage " << stage);
      auto steps = pipeline_schedule(stage, 4, chunks, 8);
      REQUIRE(steps.size() == 2u * 8 * chunks);
      std::map<std::pair<int, int>, int> seen;  // 1 after forward, 2 after backward
      for (const auto& step : steps) {
        auto& state = seen[{step.micro_batch, step.chunk}];
        CHECK(state == (step.forward ? 0 : 1));
        state = step.forward ? 1 : 2;
      }
      CHECK(seen.size() == 8u * chunks);
      for (const auto& [key, state] : seen) CHECK(state == 2);
    }
  }
}

TEST_CASE("1F1B warms up with stages - stage - 1 forwards", "[sim][pipeline]") {
  auto first = pipeline_schedule(0, 4, 1, 8);
  auto last = pipeline_schedule(3, 4, 1, 8);
  for (int k = 0; k < 3; ++k) CHECK(first[k].forward);
  CHECK(first[3].forward);
  CHECK_FALSE(first[4].forward);  // the first backward follows the fourth forward
  CHECK(last[0].forward);
  CHECK_FALSE(last[1].forward);   // the last stage alternates from the start
}

TEST_CASE("interleaving runs the first chunk's group before the second chunk", "[sim][pipeline]") {
  auto steps = pipeline_schedule(0, 2, 2, 4);
  // Warm-up: 2 (2 - 0 - 1) + (2 - 1) 2 = 4 forwards: micro-batches 0, 1 of chunk 0, then chunk 1.
  CHECK(steps[0].chunk == 0);
  CHECK(steps[1].chunk == 0);
  CHECK(steps[2].chunk == 1);
  CHECK(steps[3].chunk == 1);
  CHECK(steps[2].micro_batch == 0);
  // The first backward runs the last chunk.
  CHECK_FALSE(steps[5].forward);
  CHECK(steps[5].chunk == 1);
}

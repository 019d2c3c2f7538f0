// Both engines behind one interface, chosen by name: the same questions, the same result types,
// answers that agree where nothing contends, and a clear refusal of what an engine cannot do.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "sim/jobs/engine_choice.hpp"
#include "tests/sim/engine_fixtures.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;
using namespace kcsim;

TEST_CASE("an engine is chosen by its name, and only by a name it has", "[engines]") {
  CHECK(engine_named("analytical", Origin{}, "engine").name() == "analytical");
  CHECK(engine_named("event", Origin{}, "engine").name() == "event");
  CHECK(known_engine("event"));
  CHECK_FALSE(known_engine("simgrid"));
  CHECK_THROWS_WITH(
      engine_named("simgrid", Origin{}, "--engine"),
      ContainsSubstring("--engine") && ContainsSubstring("available: analytical, event"));
}

TEST_CASE("the engines answer the same training question alike where nothing contends",
          "[engines]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  auto spec = test::training(cluster, "megatron-22b", 8, 1, 4);
  const Engine& analytical = engine_named("analytical", Origin{}, "engine");
  const Engine& event = engine_named("event", Origin{}, "engine");
  TrainingResult a = analytical.train(cluster, spec, {});
  TrainingResult e = event.train(cluster, spec, {});
  CHECK(a.engine == "analytical");
  CHECK(e.engine == "event");
  CHECK_THAT(e.iteration_time_s, WithinRel(a.iteration_time_s, 0.03));
}

TEST_CASE("an engine refuses what it cannot answer, naming the engine that can", "[engines]") {
  auto cluster = test::catalog_cluster("dgx-a100", 1);
  const Engine& analytical = engine_named("analytical", Origin{}, "engine");
  const Engine& event = engine_named("event", Origin{}, "engine");

  EventOptions straggler;
  straggler.stragglers = {{0, 2.0}};
  CHECK_THROWS_AS(
      analytical.train(cluster, test::training(cluster, "megatron-22b", 8, 1, 4), straggler),
      InputError);
  CHECK_THROWS_WITH(analytical.replay({}, cluster, "t", ""), ContainsSubstring("event engine"));

  auto serving = test::serving(cluster, "llama3-8b", 1, 8, 512, 64);
  CHECK(analytical.serve(cluster, serving).ttft_s > 0);
  CHECK_THROWS_WITH(event.serve(cluster, serving), ContainsSubstring("analytical engine"));
}

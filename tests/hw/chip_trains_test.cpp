// Which chips train: stated per catalog entry with a source, inherited by board variants, and
// refused (InfeasibleError) for the inference chips.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/catalog.hpp"
#include "configs/loader/errors.hpp"
#include "hw-models/chip_model.hpp"

using Catch::Matchers::ContainsSubstring;

TEST_CASE("a chip that trains says where that is published", "[hw][catalog]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  int training_chips = 0;
  for (const auto& name : catalog.names("chips")) {
    kcsim::ChipModel chip(catalog.chip(name));
    if (!chip.trains()) continue;
    ++training_chips;
    INFO(name);
    CHECK_FALSE(chip.config().trains().kind().empty());
    CHECK_FALSE(chip.config().trains().citation().empty());
    CHECK(chip.config().trains().kind() != "estimate");
  }
  CHECK(training_chips >= 3);
}

TEST_CASE("board variants train as their silicon does; the NPUs do not", "[hw][catalog]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  for (const char* name : {"a100-80g", "a100-pcie-40g", "h100-sxm", "h200-sxm", "v100-sxm2"}) {
    INFO(name);
    CHECK(kcsim::ChipModel(catalog.chip(name)).trains());
  }
  for (const char* name : {"rngd", "warboy", "atom", "rebel-quad", "x220", "x330"}) {
    INFO(name);
    kcsim::ChipModel chip(catalog.chip(name));
    CHECK_FALSE(chip.trains());
    CHECK_THROWS_AS(chip.require_trains(), kcsim::InfeasibleError);
    CHECK_THROWS_WITH(chip.require_trains(),
                      ContainsSubstring(std::string("chip ") + name + " is an inference chip"));
  }
}

TEST_CASE("a chip file gains training support by stating its source", "[hw][catalog]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  auto rngd = catalog.chip("rngd");
  rngd.mutable_trains()->set_kind("measurement");
  rngd.mutable_trains()->set_citation("a lab's own training run");
  CHECK(kcsim::ChipModel(rngd).trains());
  CHECK_NOTHROW(kcsim::ChipModel(rngd).require_trains());
}

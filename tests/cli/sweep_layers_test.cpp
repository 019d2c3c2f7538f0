// A sweep of the data-parallel sample's layer workload over cluster size and engine: every row
// carries the layer workload's metrics, and the two engines agree where nothing contends.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "analysis/hdf5_table.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::WithinRel;
using kcsim::test::run_kcsim;
using kcsim::test::ScratchFolder;

TEST_CASE("a layer-workload sweep holds both engines' steps, which agree", "[sweep][cli][layers]") {
  ScratchFolder folder;
  auto out = folder.path() / "dp.h5";
  auto sweep =
      run_kcsim("sweep " KCSIM_SOURCE_DIR "/configs/sweeps/dp-sample-scale.textproto --out '" +
                out.string() + "' --quiet");
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  kcsim::SweepTable table = kcsim::read_hdf5_table(out);
  REQUIRE(table.rows == 8);
  const auto* step = table.find("layer_workload.step_time_s");
  const auto* engine = table.find("layer_workload.engine");
  const auto* devices = table.find("devices");
  REQUIRE(step);
  REQUIRE(engine);
  // Points alternate analytical, event at 16, 64, 256 and 1,024 devices.
  for (size_t r = 0; r < 8; r += 2) {
    INFO("devices " << devices->numbers[r]);
    CHECK(devices->numbers[r] == 16 * (1 << r));
    CHECK(engine->texts[r] == "analytical");
    CHECK(engine->texts[r + 1] == "event");
    CHECK_THAT(step->numbers[r + 1], WithinRel(step->numbers[r], 0.01));
  }
  CHECK_THAT(step->numbers[1], WithinRel(72.43e-3, 0.05));
}

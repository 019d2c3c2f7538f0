// Sweep files as `kcsim sweep FILE` reads them, and points as `--print-point N` writes them and
// a sweep's worker resolves them.
#include <string>

#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "tests/fuzz/fuzz_inputs.hpp"

namespace kcsim::fuzz {

void load_sweep(std::string_view bytes) {
  const auto path = scratch_folder() / "sweeps" / "fuzz.textproto";
  write_file(path, bytes);
  sweep::SweepPlan plan = sweep::load_sweep(path);
  for (size_t index : {size_t{0}, plan.points / 2, plan.points - 1}) {
    config::Scenario point = plan.scenario_of(index);
    std::string text;
    google::protobuf::TextFormat::PrintToString(point, &text);
    auto file = config::LoadedFile::unlocated(fmt::format("{} point {}", plan.file, index),
                                              config::Scenario::descriptor());
    try {
      resolve_scenario(point, file);
    } catch (const InputError&) {
      // an `invalid` row: the sweep goes on
    } catch (const InfeasibleError&) {
      // an `infeasible` row
    }
  }
}

}  // namespace kcsim::fuzz

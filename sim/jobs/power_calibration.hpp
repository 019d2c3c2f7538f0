// `kcsim calibrate power`: a chip's power figures (hw-models/power_model.hpp: the held floor, the
// matrix units, the on-chip data path, collectives, the voltage curve) fitted jointly over
// measured cases, so that one set of figures per chip explains all of them. The cases are every
// case of configs/validation/ that runs on the chip or one of its variants (times too: the power
// limit sets how fast work runs), or a user's own measurements (a CSV of workloads, caps or
// clocks, measured time and watts). The fit is a bounded Nelder-Mead search
// from the chip's present figures, deterministic: the same cases give the same figures.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "analysis/results.hpp"
#include "configs/loader/catalog.hpp"
#include "sim/jobs/validation_runner.hpp"

namespace kcsim {

// One figure the fit moves, a field of the chip's `power` block, within bounds.
struct PowerFitParameter {
  std::string field;
  double lo = 0, hi = 0;
};

struct PowerFitOptions {
  int max_evaluations = 600;
  // Fields to fit; empty: the default set (power_fit_parameters).
  std::vector<std::string> fields;
};

struct PowerFitResult {
  std::string chip;  // the chip whose file holds the figures (the root of its base chain)
  std::vector<std::string> cases;
  std::map<std::string, double> before, after;  // the fitted fields
  std::vector<ValidationRow> rows_before, rows_after;
  // Sum of (error / tolerance)^2, plus 25 x the square of what lies past 0.9 of a tolerance.
  double objective_before = 0, objective_after = 0;
  int evaluations = 0;
};

// The fields fitted by default and their bounds, from the chip's own TDP and clocks.
std::vector<PowerFitParameter> power_fit_parameters(const config::Chip& chip,
                                                    const std::vector<std::string>& fields = {});

// The catalog's validation cases grouped by chip family.
std::map<std::string, std::vector<ValidationCaseFile>> cases_by_family(
    const config::Catalog& catalog);

// A user's measurements as cases: a CSV whose header names some of workload (prefill, decode,
// serve, train), model, cluster, chip, tp, pp, batch, prompt_tokens, output_tokens,
// global_batch, micro_batch, seq_len, dtype, cap_w, clock_mhz, runtime (a profile), dispatch_us,
// step_overhead_us,
// measured_time_s, measured_power_w, name. Each row gives a time case and a power case for the
// measurements it has. Throws InputError naming the file, line and column of a bad value.
std::vector<ValidationCaseFile> measurement_cases(const std::filesystem::path& csv,
                                                  const config::Catalog& catalog);

// Fits `family`'s figures over `cases`.
PowerFitResult fit_chip_power(const config::Catalog& catalog, const std::string& family,
                              const std::vector<ValidationCaseFile>& cases,
                              const PowerFitOptions& options = {});

// `text` (a chip file) with the fitted fields of its `power` block set to `values`, comments
// and every other line kept; a field the block lacks is added after tdp_w.
std::string with_power_fields(const std::string& text, const std::map<std::string, double>& values);

}  // namespace kcsim

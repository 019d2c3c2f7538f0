// The time series a sweep keeps of one run, from what its engine reported: the event training
// engine's cluster power steps, and for a serving run under load (log_iterations on) the
// cluster power samples the serving loop records plus the throughput it delivered.
#pragma once

#include "analysis/results.hpp"
#include "sim/power/power_steps.hpp"

namespace kcsim::sweep {

// Empty when the run produced none.
TimeSeries run_series(const ScenarioRun& run);

// time_s and device_power_w (the serving cluster's devices, as steps, the last sample at the
// run's end); bin_start_s and completed_output_tokens_per_s (the output tokens of the requests
// that finished in each bin of one second, or of the run over kMaxSeriesSamples bins when
// longer). Empty without power samples.
TimeSeries serving_load_series(const ServingLoadResult& load);

}  // namespace kcsim::sweep

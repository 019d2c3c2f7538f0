// `kcsim serve` with --rate or --trace: the flags of the request stream set the serving job's
// `load` block, which runs the serving loop on the event engine.
#pragma once

#include "sim/cli/commands.hpp"
#include "workload.pb.h"

namespace kcsim::cli {

// Fills job.load from the flags; false (nothing set) without --rate and --trace. Stream flags
// without either are an InputError.
bool apply_load_flags(const ServeOptions& options, config::ServingJob& job);

}  // namespace kcsim::cli

// The inputs kcsim reads, each as one function from bytes to the objects the command line would
// go on to use: the entry points that the libFuzzer targets (fuzz_main.cpp, scripts/fuzz.sh)
// and the regression tests (tests/fuzz_regressions/) feed.
//
// Each throws InputError (or InfeasibleError) for input that kcsim rejects, as the command
// line does, and returns for input it accepts. Anything else, an exception of another type, a
// crash, a sanitizer report or a hang, is a bug. A broken invariant of what was read (an
// arrival time that is not finite, say) throws std::logic_error, which counts as a bug too.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kcsim::config {
class LoadedFile;
class Scenario;
}  // namespace kcsim::config

namespace kcsim::fuzz {

// A config file (textproto, or JSON when it starts with '{') parsed as every kind of file the
// catalogs and the command line read: scenario, sweep, chip, model, cluster, validation case;
// for each kind that accepts it, every field written is located (file:line:column). Throws the
// first kind's InputError when no kind accepts the bytes.
void load_config(std::string_view bytes);

// `kcsim run FILE` up to the point where an engine would start: the scenario parsed and
// checked, its clusters taken from the catalog and resolved, its training, serving and layer
// workloads resolved and checked against each cluster (the plans, a serving replica's memory,
// the load's options). With several clusters, one that cannot run a workload does not stop
// the others, as in run_scenario.
void resolve_scenario(std::string_view bytes);
// The same for a scenario built in memory (a sweep's point), its errors pointing into `file`.
void resolve_scenario(const config::Scenario& scenario, const config::LoadedFile& file);

// A request trace (CSV) read as `kcsim serve --trace FILE` reads it.
void read_request_trace(std::string_view bytes);

// Chakra execution traces read as `kcsim replay PREFIX` reads them, and their collectives'
// groups resolved on servers of 8. The bytes are one rank's file, or several ranks' files
// joined by kRankSeparator (at most kMaxRanks).
inline constexpr std::string_view kRankSeparator = "\n--kcsim-rank--\n";
inline constexpr int kMaxRanks = 8;
void read_chakra(std::string_view bytes);

// A sweep file read as `kcsim sweep FILE` reads it (its axes' field paths resolved and their
// values checked against the base scenario), then its first, middle and last points built,
// written out as `--print-point` writes them, and resolved as a sweep's worker resolves a point
// before it runs it (resolve_scenario). A point that is bad input or cannot run is a clean
// outcome there too (an `invalid` or `infeasible` row). A base_file such as
// "../scenarios/x.textproto" resolves against the catalog, as it does in configs/sweeps/.
void load_sweep(std::string_view bytes);

// A folder of this process's own for the files the entry points write, removed at exit. It
// links the catalog's folders (scenarios, chips, ...) beside `sweeps/`, so relative paths read
// as they do from configs/sweeps/.
const std::filesystem::path& scratch_folder();

// Writes `bytes` to `path`, replacing it.
void write_file(const std::filesystem::path& path, std::string_view bytes);

}  // namespace kcsim::fuzz

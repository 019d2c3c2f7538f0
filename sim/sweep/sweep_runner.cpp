#include "sim/sweep/sweep_runner.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include "analysis/csv_table.hpp"
#include "analysis/hdf5_table.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "configs/loader/run_control.hpp"
#include "sim/sweep/journal.hpp"
#include "sim/sweep/mpi_points.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/progress.hpp"
#include "sim/sweep/record_table.hpp"
#include "sim/sweep/resume.hpp"
#include "sim/sweep/worker_pool.hpp"

namespace kcsim::sweep {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

SweepTable build_table(const SweepPlan& plan, const Records& records, bool complete) {
  std::vector<ColumnSpec> columns = sweep_columns(plan);
  for (auto& spec : run_columns(plan.base.has_training(), plan.base.has_serving())) {
    columns.push_back(std::move(spec));
  }
  SweepTable table = table_from_records(records, columns);
  std::string base;
  google::protobuf::TextFormat::PrintToString(plan.base, &base);
  table.attributes = {{"kcsim_version", kcsim_version()},
                      {"sweep_name", plan.name},
                      {"sweep_description", plan.description},
                      {"sweep_file", fs::path(plan.file).filename().string()},
                      {"sweep_text", plan.text},
                      {"base_scenario", base},
                      {"engine", plan.base.engine()},
                      {"axes", axes_text(plan)},
                      {"points_total", std::to_string(plan.points), TableAttribute::Integer},
                      {"points_done", std::to_string(records.size()), TableAttribute::Integer},
                      {"complete", complete ? "true" : "false", TableAttribute::Boolean},
                      {"fingerprint", sweep_fingerprint(plan)}};
  return table;
}

void write_outputs(const SweepPlan& plan, const SweepOptions& options, const Records& records,
                   bool complete, SweepSummary* summary) {
  SweepTable table = build_table(plan, records, complete);
  write_hdf5_table(options.out, table, "--out");
  if (!options.csv.empty()) {
    write_file_atomically({options.csv, "--csv"},
                          [&](std::ostream& out) { write_csv_table(out, table); });
  }
  if (!summary) return;
  summary->rows = table.rows;
  const SweepColumn* status = table.find("status");
  for (const auto& text : status->texts) {
    if (text == "ok")
      ++summary->ok;
    else if (text == "infeasible")
      ++summary->infeasible;
    else if (text == "invalid")
      ++summary->invalid;
    else
      ++summary->failed;
  }
}

std::vector<size_t> pending_points(const SweepPlan& plan, const Records& records) {
  std::vector<size_t> pending;
  for (size_t i = 0; i < plan.points; ++i) {
    if (!records.count(i)) pending.push_back(i);
  }
  return pending;
}

// When to rebuild the output while points finish: no sooner than `min_interval_s` after the
// last rebuild, and no sooner than 20 times as long as that rebuild took, so rebuilding costs
// at most a twentieth of the sweep however large the file grows.
class OutputPacer {
 public:
  explicit OutputPacer(double min_interval_s) : min_interval_s_(min_interval_s) {}
  bool due() const {
    double since = std::chrono::duration<double>(Clock::now() - last_).count();
    return since >= std::max(min_interval_s_, 20 * last_cost_s_);
  }
  template <typename Write>
  void write(Write&& rebuild) {
    auto start = Clock::now();
    rebuild();
    last_ = Clock::now();
    last_cost_s_ = std::chrono::duration<double>(last_ - start).count();
  }

 private:
  double min_interval_s_;
  double last_cost_s_ = 0;
  Clock::time_point last_ = Clock::now();
};

fs::path journal_path(const SweepOptions& options) { return options.out.string() + ".journal"; }

// Every output path checked before anything is written: no folder, no input, no two the same.
void check_sweep_outputs(const SweepOptions& options, const InputHasher& inputs) {
  std::vector<OutputPath> outputs = {{options.out, "--out"}, {journal_path(options), "--out"}};
  if (!options.csv.empty()) outputs.push_back({options.csv, "--csv"});
  check_outputs(outputs, inputs.files());
}

// What an earlier run left: the records of OUT and its journal that are still valid, counted
// in `summary`; the journal is opened for this run's records. A killed run's temporaries go.
Records earlier_records(const SweepPlan& plan, const SweepOptions& options,
                        const InputHasher& inputs, std::optional<Journal>& journal,
                        SweepSummary& summary) {
  remove_stale_temporaries(options.out);
  if (!options.csv.empty()) remove_stale_temporaries(options.csv);
  Records records;
  if (options.resume) records = records_in_output(plan, options.out);
  journal.emplace(journal_path(options), sweep_fingerprint(plan), options.resume);
  for (const auto& [index, line] : journal->loaded()) records[index] = parse_record(line);
  summary.recomputed = drop_changed(records, plan, inputs);
  summary.resumed = records.size();
  if (options.progress && summary.recomputed > 0) {
    fmt::print(stderr, "sweep: {} points of an earlier run recomputed: their inputs changed\n",
               summary.recomputed);
  }
  return records;
}

SweepSummary run_local(const SweepPlan& plan, const config::Catalog& catalog,
                       const InputHasher& inputs, const SweepOptions& options) {
  auto start = Clock::now();
  SweepSummary summary;
  summary.points = plan.points;
  // The workers first: they need none of what an earlier run left (resume.hpp), and every
  // process they start would copy it.
  WorkerPoolOptions pool_options{
      static_cast<int>(std::min<size_t>(static_cast<size_t>(options.jobs), plan.points)),
      options.timeout_s};
  WorkerPool pool(
      pool_options, [&](size_t index) { return run_point(plan, index, catalog, inputs); },
      [&](size_t index, const std::string& why) { return failed_point(plan, index, why, inputs); });
  std::optional<Journal> journal;
  Records records = earlier_records(plan, options, inputs, journal, summary);
  std::vector<size_t> pending = pending_points(plan, records);

  Progress progress(plan.points, records.size(), options.progress);
  // The output exists from the start and follows the journal: a kill at any moment leaves a
  // readable file of the points done so far.
  OutputPacer pacer(options.rewrite_every_s);
  pacer.write([&] { write_outputs(plan, options, records, false, nullptr); });
  try {
    pool.run(pending, [&](size_t index, std::string record) {
      journal->append(record);
      records[index] = parse_record(record);
      progress.update(records.size());
      if (pacer.due()) {
        journal->sync();
        pacer.write([&] { write_outputs(plan, options, records, false, nullptr); });
      }
    });
  } catch (const InterruptedError&) {
    // Stopped from outside (Ctrl-C): the output is rewritten whole with the points done, marked
    // incomplete, and the journal stays for --resume, as after a kill.
    journal->sync();
    write_outputs(plan, options, records, false, nullptr);
    throw;
  }
  journal->sync();
  write_outputs(plan, options, records, true, &summary);
  journal->remove();
  progress.finish(records.size());
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

SweepSummary run_mpi(const SweepPlan& plan, const config::Catalog& catalog,
                     const InputHasher& inputs, const SweepOptions& options) {
  auto start = Clock::now();
  mpi::Session session;
  SweepSummary summary;
  summary.points = plan.points;
  summary.ranks = session.size();
  summary.root = session.rank() == 0;
  Records records;
  std::optional<Journal> journal;
  bool aborted = false;
  auto finished = mpi::run_points(
      session,
      [&] {
        records = earlier_records(plan, options, inputs, journal, summary);
        write_outputs(plan, options, records, false, nullptr);
        return pending_points(plan, records);
      },
      [&](size_t index) { return run_point(plan, index, catalog, inputs); }, &aborted);
  if (!summary.root || aborted) return summary;
  for (auto& line : finished) {
    journal->append(line);
    FlatRecord record = parse_record(line);
    records[record.point] = std::move(record);
  }
  journal->sync();
  write_outputs(plan, options, records, true, &summary);
  journal->remove();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (options.progress) {
    fmt::print(stderr, "sweep: {} points on {} MPI ranks in {:.1f} s\n", finished.size(),
               session.size(), summary.seconds);
  }
  return summary;
}

}  // namespace

SweepSummary run_sweep(const SweepPlan& plan, const config::Catalog& checked,
                       const SweepOptions& options) {
  // The inputs are hashed once, here, and a point computed from files changed since is
  // recomputed by the next run (resume.hpp): the points need not check the files again.
  const config::Catalog catalog = checked.fixed();
  InputHasher inputs(plan, catalog);
  check_sweep_outputs(options, inputs);
  if (mpi::launched()) {
    if (!mpi::built_in()) {
      throw InputError(
          "mpirun: this kcsim was built without MPI (CMake option KCSIM_MPI; Debian package "
          "libopenmpi-dev); run the sweep without mpirun, with --jobs");
    }
    return run_mpi(plan, catalog, inputs, options);
  }
  return run_local(plan, catalog, inputs, options);
}

}  // namespace kcsim::sweep

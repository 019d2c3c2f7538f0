#include "sim/sweep/sweep_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include "analysis/atomic_file.hpp"
#include "analysis/csv_table.hpp"
#include "analysis/hdf5_table.hpp"
#include "configs/loader/errors.hpp"
#include "sim/sweep/journal.hpp"
#include "sim/sweep/mpi_points.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/progress.hpp"
#include "sim/sweep/record_table.hpp"
#include "sim/sweep/worker_pool.hpp"

namespace kcsim::sweep {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Records = std::map<size_t, FlatRecord>;  // point index -> its record, read

std::string version() { return "kcsim " KCSIM_VERSION; }

std::string joined_axes(const SweepPlan& plan) {
  std::string text;
  for (const auto& axis : plan.axes) text += axis.path.text + "\n";
  return text;
}

SweepTable build_table(const SweepPlan& plan, const Records& records, bool complete) {
  std::vector<ColumnSpec> columns = sweep_columns(plan);
  for (auto& spec : run_columns(plan.base.has_training(), plan.base.has_serving())) {
    columns.push_back(std::move(spec));
  }
  SweepTable table = table_from_records(records, columns);
  std::string base;
  google::protobuf::TextFormat::PrintToString(plan.base, &base);
  table.attributes = {{"kcsim_version", version()},
                      {"sweep_name", plan.name},
                      {"sweep_description", plan.description},
                      {"sweep_file", fs::path(plan.file).filename().string()},
                      {"sweep_text", plan.text},
                      {"base_scenario", base},
                      {"engine", plan.base.engine()},
                      {"axes", joined_axes(plan)},
                      {"points_total", std::to_string(plan.points)},
                      {"points_done", std::to_string(records.size())},
                      {"complete", complete ? "true" : "false"},
                      {"fingerprint", sweep_fingerprint(plan)}};
  return table;
}

void write_outputs(const SweepPlan& plan, const SweepOptions& options, const Records& records,
                   bool complete, SweepSummary* summary) {
  SweepTable table = build_table(plan, records, complete);
  write_hdf5_table(options.out, table);
  if (!options.csv.empty()) {
    write_file_atomically(options.csv, [&](std::ostream& out) { write_csv_table(out, table); });
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

// Records an earlier run of this sweep left in the output file.
Records records_in_output(const SweepPlan& plan, const SweepOptions& options) {
  Records records;
  if (!options.resume || !fs::exists(options.out)) return records;
  SweepTable table = read_hdf5_table(options.out);
  if (table.attribute("fingerprint") != sweep_fingerprint(plan)) {
    throw InputError(fmt::format(
        "{}: file: it holds the results of another sweep (or engine, or kcsim version); pass "
        "--no-resume to replace it, or choose another --out",
        options.out.string()));
  }
  std::map<size_t, Json> by_point;
  for (auto& row : rows_from_table(table)) {
    size_t index = static_cast<size_t>(row.at("point").get<double>());
    auto& entry = by_point[index];
    if (entry.is_null()) entry = Json{{"point", index}, {"rows", Json::array()}};
    entry["rows"].push_back(std::move(row));
  }
  for (auto& [index, record] : by_point) records[index] = parse_record(record.dump());
  for (auto& entry : table.series) {
    auto it = records.find(entry.point);
    if (it != records.end()) it->second.series.push_back({entry.run, std::move(entry.series)});
  }
  return records;
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

SweepSummary run_local(const SweepPlan& plan, const config::Catalog& catalog,
                       const SweepOptions& options) {
  auto start = Clock::now();
  Records records = records_in_output(plan, options);
  Journal journal(journal_path(options), sweep_fingerprint(plan), options.resume);
  for (const auto& [index, line] : journal.loaded()) records[index] = parse_record(line);
  std::vector<size_t> pending = pending_points(plan, records);

  SweepSummary summary;
  summary.points = plan.points;
  summary.resumed = records.size();
  Progress progress(plan.points, records.size(), options.progress);
  // The output exists from the start and follows the journal: a kill at any moment leaves a
  // readable file of the points done so far.
  OutputPacer pacer(options.rewrite_every_s);
  pacer.write([&] { write_outputs(plan, options, records, false, nullptr); });
  run_in_workers(
      pending, {options.jobs, options.timeout_s},
      [&](size_t index) { return run_point(plan, index, catalog); },
      [&](size_t index, const std::string& why) { return failed_point(plan, index, why); },
      [&](size_t index, std::string record) {
        journal.append(record);
        records[index] = parse_record(record);
        progress.update(records.size());
        if (pacer.due()) {
          journal.sync();
          pacer.write([&] { write_outputs(plan, options, records, false, nullptr); });
        }
      });
  journal.sync();
  write_outputs(plan, options, records, true, &summary);
  journal.remove();
  progress.finish(records.size());
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

SweepSummary run_mpi(const SweepPlan& plan, const config::Catalog& catalog,
                     const SweepOptions& options) {
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
        records = records_in_output(plan, options);
        journal.emplace(journal_path(options), sweep_fingerprint(plan), options.resume);
        for (const auto& [index, line] : journal->loaded()) records[index] = parse_record(line);
        summary.resumed = records.size();
        write_outputs(plan, options, records, false, nullptr);
        return pending_points(plan, records);
      },
      [&](size_t index) { return run_point(plan, index, catalog); }, &aborted);
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

std::string sweep_fingerprint(const SweepPlan& plan) {
  // FNV-1a, 64 bits: a name for the inputs, not a defence against tampering.
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](const std::string& text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;
    hash *= 1099511628211ULL;
  };
  mix(plan.text);
  mix(plan.base.engine());
  mix(version());
  return fmt::format("{:016x}", hash);
}

SweepSummary run_sweep(const SweepPlan& plan, const config::Catalog& catalog,
                       const SweepOptions& options) {
  if (mpi::launched()) {
    if (!mpi::built_in()) {
      throw InputError(
          "mpirun: this kcsim was built without MPI (CMake option KCSIM_MPI; Debian package "
          "libopenmpi-dev); run the sweep without mpirun, with --jobs");
    }
    return run_mpi(plan, catalog, options);
  }
  return run_local(plan, catalog, options);
}

}  // namespace kcsim::sweep

// `kcsim sweep`, `kcsim best` and `kcsim report`: run a sweep file into an HDF5 table, query
// it, and draw it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <thread>

#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include "analysis/hdf5_table.hpp"
#include "analysis/json_writer.hpp"
#include "analysis/sweep_query.hpp"
#include "analysis/sweep_report.hpp"
#include "analysis/table.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cli/support.hpp"
#include "sim/jobs/engine_choice.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace kcsim::cli {
namespace {

std::string cell_text(const SweepTable& table, const SweepColumn& column, size_t row) {
  if (column.text) return table.cell(column, row);
  double value = table.number(column, row);
  return std::isnan(value) ? "" : fmt::format("{:.6g}", value);
}

// Whether every value of a number column is a whole number that a double holds exactly (point
// and run indices, axis values such as tp, counts): those print as integers, not as 5.0.
bool integral(const SweepColumn& column) {
  constexpr double kExact = 9007199254740992.0;  // 2^53
  return !column.text && std::all_of(column.numbers.begin(), column.numbers.end(), [](double v) {
    return std::isnan(v) || (std::trunc(v) == v && std::fabs(v) <= kExact);
  });
}

// The table's rows as JSON objects, whole-number columns as integers.
class RowWriter {
 public:
  explicit RowWriter(const SweepTable& table) : table_(table) {
    for (const auto& column : table.columns) integral_.push_back(integral(column));
  }
  Json operator()(size_t row) const {
    Json j = Json::object();
    for (size_t c = 0; c < table_.columns.size(); ++c) {
      const SweepColumn& column = table_.columns[c];
      if (column.text)
        j[column.name] = column.texts[row];
      else if (std::isnan(column.numbers[row]))
        j[column.name] = nullptr;
      else if (integral_[c])
        j[column.name] = static_cast<int64_t>(column.numbers[row]);
      else
        j[column.name] = column.numbers[row];
    }
    return j;
  }

 private:
  const SweepTable& table_;
  std::vector<bool> integral_;
};

// The columns that say which point a row is: its index, chip and axis values, then `extra`.
std::vector<const SweepColumn*> identity_columns(const SweepTable& table,
                                                 const std::vector<const SweepColumn*>& extra) {
  std::vector<const SweepColumn*> columns;
  for (const auto& c : table.columns) {
    if (c.name == "point" || c.name == "run" || c.name == "chip" || c.name.rfind("axis.", 0) == 0) {
      columns.push_back(&c);
    }
  }
  for (const auto* c : extra) {
    if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
  }
  return columns;
}

std::string rows_text(const SweepTable& table, const std::vector<size_t>& rows,
                      const std::vector<const SweepColumn*>& columns) {
  std::vector<std::string> headers;
  for (const auto* c : columns) headers.push_back(c->name);
  Table out(headers);
  for (size_t r : rows) {
    std::vector<std::string> cells;
    for (const auto* c : columns) cells.push_back(cell_text(table, *c, r));
    out.add_row(std::move(cells));
  }
  return out.str();
}

std::string where_text(const std::vector<std::string>& where) {
  std::string text;
  for (const auto& w : where) text += (text.empty() ? "" : ", ") + w;
  return text;
}

// The frontier a report draws when none is asked for: training speed against energy per token,
// else serving throughput against time to first token.
void default_axes(const SweepTable& table, ReportCommandOptions& o) {
  auto has_values = [&](const char* name) {
    const SweepColumn* c = table.find(name);
    if (!c || c->text) return false;
    return std::any_of(c->numbers.begin(), c->numbers.end(),
                       [](double v) { return !std::isnan(v); });
  };
  if (has_values("training.tokens_per_s")) {
    if (o.x.empty()) o.x = "training.energy_per_token_j:min";
    if (o.y.empty()) o.y = "training.tokens_per_s:max";
  } else {
    if (o.x.empty()) o.x = "serving.ttft_s:min";
    if (o.y.empty()) o.y = "serving.output_tokens_per_s_per_kw:max";
  }
}

}  // namespace

int sweep(const SweepCommandOptions& o, std::ostream& out) {
  if (!o.engine.empty() && !known_engine(o.engine)) {
    throw_input_error(
        Origin{}, "--engine",
        fmt::format("unknown engine \"{}\"; available: {}", o.engine, engine_names()));
  }
  sweep::SweepPlan plan = sweep::load_sweep(o.file, o.engine);
  if (o.print_point >= 0) {
    if (static_cast<size_t>(o.print_point) >= plan.points) {
      throw_input_error(Origin{}, "--print-point",
                        fmt::format("the sweep has points 0 to {}", plan.points - 1));
    }
    std::string text;
    google::protobuf::TextFormat::PrintToString(
        plan.scenario_of(static_cast<size_t>(o.print_point)), &text);
    out << fmt::format("# Point {} of {} ({} points)\n", o.print_point, plan.file, plan.points);
    out << text;
    return 0;
  }
  if (o.out.empty()) throw_input_error(Origin{}, "--out", "name the HDF5 file to write");
  if (o.jobs < 1) throw_input_error(Origin{}, "--jobs", "must be at least 1");
  if (o.timeout_s < 0) throw_input_error(Origin{}, "--timeout-s", "must not be negative");
  if (o.rewrite_s < 0) throw_input_error(Origin{}, "--rewrite-s", "must not be negative");
  auto catalog = catalog_of(o.common);
  sweep::SweepOptions options;
  options.out = o.out;
  options.csv = o.csv;
  options.jobs = o.jobs;
  options.timeout_s = o.timeout_s;
  options.rewrite_every_s = o.rewrite_s;
  options.resume = !o.no_resume;
  options.progress = !o.quiet;
  sweep::SweepSummary s = sweep::run_sweep(plan, catalog, options);
  if (!s.root) return 0;
  if (o.common.json) {
    print_json(out, Json{{"sweep", plan.name},
                         {"out", o.out},
                         {"points", s.points},
                         {"rows", s.rows},
                         {"resumed_points", s.resumed},
                         {"recomputed_points", s.recomputed},
                         {"ok_rows", s.ok},
                         {"infeasible_rows", s.infeasible},
                         {"invalid_rows", s.invalid},
                         {"failed_rows", s.failed},
                         {"ranks", s.ranks},
                         {"elapsed_s", s.seconds}});
  } else {
    out << fmt::format("{}: {} points, {} rows: {} ok, {} infeasible, {} invalid, {} failed",
                       plan.name, s.points, s.rows, s.ok, s.infeasible, s.invalid, s.failed);
    if (s.resumed > 0) out << fmt::format(" ({} points from an earlier run)", s.resumed);
    if (s.recomputed > 0) {
      out << fmt::format(" ({} points of an earlier run recomputed: their inputs changed)",
                         s.recomputed);
    }
    out << fmt::format("\nwrote {}{}\n", o.out, o.csv.empty() ? "" : " and " + o.csv);
  }
  if (s.failed > 0) return 1;
  return s.invalid > 0 ? 2 : 0;
}

int best(const BestOptions& o, std::ostream& out) {
  SweepTable table = read_hdf5_table(o.file);
  if (o.maximize.empty() == o.minimize.empty()) {
    throw_input_error(Origin{}, "--maximize, --minimize", "give exactly one");
  }
  if (o.top < 1) throw_input_error(Origin{}, "--top", "must be at least 1");
  std::string flag = o.maximize.empty() ? "--minimize" : "--maximize";
  Objective objective;
  objective.column = &resolve_column(table, o.maximize.empty() ? o.minimize : o.maximize, flag);
  if (objective.column->text) throw_input_error(Origin{}, flag, "that column holds text");
  objective.maximize = !o.maximize.empty();
  std::vector<Condition> conditions;
  for (const auto& w : o.where) {
    for (auto& c : parse_conditions(table, w)) conditions.push_back(c);
  }
  std::vector<size_t> rows = matching_rows(table, conditions);
  std::vector<size_t> ranked = rank_rows(table, rows, objective);
  size_t matched = ranked.size();
  if (ranked.size() > static_cast<size_t>(o.top)) ranked.resize(static_cast<size_t>(o.top));

  std::vector<const SweepColumn*> metrics = {objective.column};
  for (const auto& c : conditions) metrics.push_back(c.column);
  std::optional<std::pair<Objective, Objective>> pareto;
  std::vector<size_t> front;
  if (!o.pareto.empty()) {
    auto comma = o.pareto.find(',');
    if (comma == std::string::npos) {
      throw_input_error(Origin{}, "--pareto", "give two metrics: A:max,B:min");
    }
    pareto.emplace(parse_objective(table, o.pareto.substr(0, comma), "--pareto"),
                   parse_objective(table, o.pareto.substr(comma + 1), "--pareto"));
    front = pareto_front(table, rows, pareto->first, pareto->second);
    metrics.push_back(pareto->first.column);
    metrics.push_back(pareto->second.column);
  }
  auto columns = identity_columns(table, metrics);

  if (o.common.json) {
    Json j;
    j["file"] = o.file;
    j["metric"] = objective.column->name;
    j["goal"] = objective.maximize ? "max" : "min";
    j["where"] = where_text(o.where);
    j["matching_rows"] = matched;
    j["best"] = Json::array();
    RowWriter row_json(table);
    for (size_t r : ranked) j["best"].push_back(row_json(r));
    if (pareto) {
      j["pareto"] = Json{{"x", pareto->first.column->name},
                         {"x_goal", pareto->first.maximize ? "max" : "min"},
                         {"y", pareto->second.column->name},
                         {"y_goal", pareto->second.maximize ? "max" : "min"},
                         {"rows", Json::array()}};
      for (size_t r : front) j["pareto"]["rows"].push_back(row_json(r));
    }
    print_json(out, j);
    return 0;
  }
  std::string condition = o.where.empty() ? "" : " meeting " + where_text(o.where);
  if (ranked.empty()) {
    out << fmt::format("No feasible row{} has a value of {}.\n", condition, objective.column->name);
  } else {
    out << fmt::format("Best {} of {} feasible rows{}, by {} ({}):\n", ranked.size(), matched,
                       condition, objective.column->name,
                       objective.maximize ? "highest first" : "lowest first");
    out << rows_text(table, ranked, columns);
  }
  if (pareto) {
    out << fmt::format("\nPareto frontier over {} ({}) and {} ({}): {} rows\n",
                       pareto->first.column->name, pareto->first.maximize ? "max" : "min",
                       pareto->second.column->name, pareto->second.maximize ? "max" : "min",
                       front.size());
    out << rows_text(table, front, columns);
  }
  return 0;
}

int report(const ReportCommandOptions& options, std::ostream& out) {
  if (options.out.empty()) throw_input_error(Origin{}, "-o", "name the HTML file to write");
  check_outputs({{options.out, "-o"}}, {options.file});
  SweepTable table = read_hdf5_table(options.file);
  ReportCommandOptions o = options;
  default_axes(table, o);
  ReportOptions report;
  report.x = parse_objective(table, o.x, "--x");
  report.y = parse_objective(table, o.y, "--y");
  write_file_atomically({o.out, "-o"},
                        [&](std::ostream& html) { write_sweep_report(html, table, report); });
  if (o.common.json) {
    print_json(out, Json{{"report", o.out},
                         {"x", report.x.column->name},
                         {"y", report.y.column->name},
                         {"rows", table.rows}});
  } else {
    out << fmt::format("wrote {} ({} rows; frontier of {} and {})\n", o.out, table.rows,
                       report.x.column->name, report.y.column->name);
  }
  return 0;
}

}  // namespace kcsim::cli

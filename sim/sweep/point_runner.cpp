#include "sim/sweep/point_runner.hpp"

#include <charconv>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/jobs/scenario_runner.hpp"
#include "sim/sweep/run_series.hpp"

namespace kcsim::sweep {
namespace {

// The fields every row of a point starts with, as `"key":value` text without the braces.
std::string point_fields(const SweepPlan& plan, size_t index, size_t run, const std::string& status,
                         const std::string& error, const std::string& inputs) {
  std::string out =
      fmt::format("\"point\":{},\"run\":{},\"status\":{},\"error\":{},\"{}\":{}", index, run,
                  Json(status).dump(), Json(error).dump(), kInputsHashColumn, Json(inputs).dump());
  auto values = plan.values_of(index);
  for (size_t a = 0; a < plan.axes.size(); ++a) {
    const Axis& axis = plan.axes[a];
    out += ',';
    out += Json("axis." + axis.path.text).dump();
    out += ':';
    if (axis.path.numeric()) {
      double number = 0;
      std::from_chars(values[a]->data(), values[a]->data() + values[a]->size(), number);
      out += Json(number).dump();
    } else {
      out += Json(*values[a]).dump();
    }
  }
  return out;
}

// {"point": i, "rows": [{...}, ...]}, from each row's fields, and "series": [{"run": r,
// "time_s": [...], ...}, ...] when runs produced time series.
std::string record(size_t index, const std::vector<std::string>& rows,
                   const std::vector<std::string>& series = {}) {
  std::string out = fmt::format("{{\"point\":{},\"rows\":[", index);
  for (size_t r = 0; r < rows.size(); ++r) {
    if (r > 0) out += ',';
    out += '{';
    out += rows[r];
    out += '}';
  }
  out += ']';
  if (!series.empty()) {
    out += ",\"series\":[";
    for (size_t s = 0; s < series.size(); ++s) {
      if (s > 0) out += ',';
      out += series[s];
    }
    out += ']';
  }
  out += '}';
  return out;
}

// {"run": r, "NAME": [values], ...}: numbers in their shortest exact form, so a record read
// back gives the same doubles.
std::string series_entry(size_t run, const TimeSeries& series) {
  std::string out = fmt::format("{{\"run\":{}", run);
  for (size_t c = 0; c < series.names.size(); ++c) {
    out += ',' + Json(series.names[c]).dump() + ":[";
    for (size_t i = 0; i < series.columns[c].size(); ++i) {
      if (i > 0) out += ',';
      out += fmt::format("{}", series.columns[c][i]);
    }
    out += ']';
  }
  out += '}';
  return out;
}

std::string run_errors(const ScenarioRun& run) {
  std::string error;
  if (!run.training_error.empty()) error = "training: " + run.training_error;
  if (!run.serving_error.empty()) {
    if (!error.empty()) error += "; ";
    error += "serving: " + run.serving_error;
  }
  if (!run.layers_error.empty()) {
    if (!error.empty()) error += "; ";
    error += "layer workload: " + run.layers_error;
  }
  return error;
}

// The point's input hash, worked out again when the scenario failed before it was.
std::string known(const std::string& hash, const InputHasher& inputs, size_t index) {
  return hash.empty() ? inputs.point(index) : hash;
}

}  // namespace

std::vector<ColumnSpec> sweep_columns(const SweepPlan& plan) {
  std::vector<ColumnSpec> columns = {{"point", false},
                                     {"run", false},
                                     {"status", true},
                                     {"error", true},
                                     {kInputsHashColumn, true}};
  for (const auto& axis : plan.axes)
    columns.push_back({"axis." + axis.path.text, !axis.path.numeric()});
  return columns;
}

std::string run_point(const SweepPlan& plan, size_t index, const config::Catalog& catalog,
                      const InputHasher& inputs) {
  std::vector<std::string> rows, series;
  std::string hash;
  try {
    config::Scenario scenario = plan.scenario_of(index);
    hash = inputs.point(scenario);
    // Errors name the sweep file and the point; `kcsim sweep --print-point` shows its scenario.
    auto file = config::LoadedFile::unlocated(fmt::format("{} point {}", plan.file, index),
                                              config::Scenario::descriptor());
    ScenarioResult result = run_scenario(scenario, file, plan.name, catalog);
    for (size_t r = 0; r < result.runs.size(); ++r) {
      const ScenarioRun& run = result.runs[r];
      std::string error = run_errors(run);
      std::string row =
          point_fields(plan, index, r, error.empty() ? "ok" : "infeasible", error, hash);
      write_run_fields(row, run);
      rows.push_back(std::move(row));
      TimeSeries run_samples = run_series(run);
      if (!run_samples.empty()) series.push_back(series_entry(r, run_samples));
    }
    if (result.mix_plan) {
      std::string row = point_fields(plan, index, 0, "ok", "", hash);
      write_mix_plan_fields(row, *result.mix_plan);
      rows.push_back(std::move(row));
    }
  } catch (const InfeasibleError& e) {
    series.clear();
    rows = {point_fields(plan, index, 0, "infeasible", e.what(), known(hash, inputs, index))};
  } catch (const InputError& e) {
    series.clear();
    rows = {point_fields(plan, index, 0, "invalid", e.what(), known(hash, inputs, index))};
  } catch (const std::exception& e) {
    series.clear();
    rows = {point_fields(plan, index, 0, "failed", std::string("internal error: ") + e.what(),
                         known(hash, inputs, index))};
  }
  return record(index, rows, series);
}

std::string failed_point(const SweepPlan& plan, size_t index, const std::string& error,
                         const InputHasher& inputs) {
  return record(index, {point_fields(plan, index, 0, "failed", error, inputs.point(index))});
}

size_t record_point(const std::string& line) {
  Json parsed = Json::parse(line);
  return parsed.at("point").get<size_t>();
}

std::vector<Json> record_rows(const std::vector<std::string>& records) {
  std::vector<Json> rows;
  rows.reserve(records.size());
  for (const auto& line : records) {
    Json parsed = Json::parse(line);
    for (auto& row : parsed.at("rows")) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace kcsim::sweep

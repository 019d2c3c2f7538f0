#include "analysis/sweep_table.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

namespace kcsim {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

bool skipped_key(const std::string& key) {
  // Said once per run, not per workload.
  return key == "workload" || key == "cluster" || key == "chip";
}

// `text` as the inside of a JSON string: keys are the result's own names, but a quote,
// backslash or control character would still be escaped.
void append_escaped(std::string& out, const std::string& text) {
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
}

// Nested objects become dotted keys; arrays (per-link lists) stay out of the table. Written as
// `,"key":value` pairs straight into `out`: a sweep writes one such row per point.
void write_flat(std::string& out, const std::string& prefix, const Json& object, bool top) {
  for (const auto& [key, value] : object.items()) {
    if (top && skipped_key(key)) continue;
    if (value.is_object()) {
      write_flat(out, prefix + key + ".", value, false);
    } else if (!value.is_array()) {
      out += ",\"";
      append_escaped(out, prefix);
      append_escaped(out, key);
      out += "\":";
      out += value.dump();
    }
  }
}

void append_result(Json& row, const std::string& prefix, const Json& result) {
  std::string text = "{\"_\":0";
  write_flat(text, prefix, result, true);
  text += '}';
  Json flat = Json::parse(text);
  for (auto& [key, value] : flat.items()) {
    if (key != "_") row[key] = std::move(value);
  }
}

// Tokens per kWh of IT energy, the figure planners compare: tokens/s per kW x 3600 s/h.
Json with_energy_yield(Json result) {
  if (result.contains("tokens_per_s_per_kw")) {
    result["tokens_per_kwh"] = result["tokens_per_s_per_kw"].get<double>() * 3600;
  }
  if (result.contains("output_tokens_per_s_per_kw")) {
    result["output_tokens_per_kwh"] = result["output_tokens_per_s_per_kw"].get<double>() * 3600;
  }
  return result;
}

void add_specs(std::vector<ColumnSpec>& specs, const std::string& prefix, const Json& result) {
  Json row = Json::object();
  append_result(row, prefix, with_energy_yield(result));
  for (const auto& [key, value] : row.items()) specs.push_back({key, value.is_string()});
}

}  // namespace

const SweepColumn* SweepTable::find(const std::string& name) const {
  for (const auto& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

std::string SweepTable::attribute(const std::string& name) const {
  for (const auto& entry : attributes) {
    if (entry.name == name) return entry.value;
  }
  return "";
}

double SweepTable::number(const SweepColumn& column, size_t row) const {
  return column.text ? kMissing : column.numbers[row];
}

std::string SweepTable::cell(const SweepColumn& column, size_t row) const {
  if (column.text) return column.texts[row];
  double value = column.numbers[row];
  return std::isnan(value) ? "" : fmt::format("{}", value);
}

std::vector<ColumnSpec> run_columns(bool training, bool serving) {
  std::vector<ColumnSpec> specs = {
      {"cluster", true}, {"chip", true}, {"devices", false}, {"peak_it_power_kw", false}};
  if (training) add_specs(specs, "training.", to_json(TrainingResult{}));
  if (serving) add_specs(specs, "serving.", to_json(ServingResult{}));
  return specs;
}

void write_run_fields(std::string& out, const ScenarioRun& run) {
  out += ",\"cluster\":" + Json(run.cluster).dump();
  out += ",\"chip\":" + Json(run.chip).dump();
  out += ",\"devices\":" + std::to_string(run.devices);
  out += ",\"peak_it_power_kw\":" + Json(run.peak_it_power_kw).dump();
  if (run.training) write_flat(out, "training.", with_energy_yield(to_json(*run.training)), true);
  if (run.serving) write_flat(out, "serving.", with_energy_yield(to_json(*run.serving)), true);
  if (run.layers) write_flat(out, "layer_workload.", to_json(*run.layers), true);
}

void write_mix_plan_fields(std::string& out, const MixPlanResult& plan) {
  const MixChoice& chosen = plan.mixes.at(plan.chosen);
  auto number = [&](const std::string& key, double value) {
    out += "," + Json(key).dump() + ":" + Json(value).dump();
  };
  number("mix_plan.provisioned_facility_mw", chosen.provisioned_facility_mw);
  number("mix_plan.avg_facility_mw", chosen.avg_facility_mw);
  number("mix_plan.cost_krw_per_h", chosen.cost_krw_per_h);
  number("mix_plan.mixes", static_cast<double>(plan.mixes.size()));
  for (size_t w = 0; w < plan.workloads.size(); ++w) {
    const MixOption& o = plan.workloads[w].options.at(chosen.options[w]);
    const std::string prefix = "mix_plan." + plan.workloads[w].name + ".";
    int servers = 0;
    for (const auto& p : o.pools) servers += p.servers;
    out += "," + Json(prefix + "option").dump() + ":" + Json(o.label).dump();
    number(prefix + "servers", servers);
    number(prefix + "provisioned_facility_kw", o.provisioned_facility_kw);
    number(prefix + "avg_facility_kw", o.avg_facility_kw);
    number(prefix + "tokens_per_s", o.tokens_per_s);
    number(prefix + "tokens_per_kwh", o.tokens_per_kwh);
  }
}

SweepTable table_from_rows(const std::vector<Json>& rows, const std::vector<ColumnSpec>& specs) {
  std::map<std::string, size_t> index;
  std::vector<ColumnSpec> all = specs;
  for (size_t i = 0; i < all.size(); ++i) index.emplace(all[i].name, i);
  // Keys beyond the known columns: a column each, text if any row holds text there.
  std::map<std::string, bool> extra;
  for (const auto& row : rows) {
    for (const auto& [key, value] : row.items()) {
      if (index.count(key)) continue;
      extra[key] = extra[key] || value.is_string();
    }
  }
  for (const auto& [name, text] : extra) {
    index.emplace(name, all.size());
    all.push_back({name, text});
  }

  SweepTable table;
  table.rows = rows.size();
  for (const auto& spec : all) {
    SweepColumn column;
    column.name = spec.name;
    column.text = spec.text;
    if (spec.text)
      column.texts.assign(rows.size(), "");
    else
      column.numbers.assign(rows.size(), kMissing);
    table.columns.push_back(std::move(column));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    for (const auto& [key, value] : rows[r].items()) {
      SweepColumn& column = table.columns[index.at(key)];
      if (column.text) {
        if (value.is_string())
          column.texts[r] = value.get<std::string>();
        else if (value.is_boolean())
          column.texts[r] = value.get<bool>() ? "true" : "false";
        else if (value.is_number())
          column.texts[r] = fmt::format("{}", value.get<double>());
      } else if (value.is_boolean()) {
        column.numbers[r] = value.get<bool>() ? 1 : 0;
      } else if (value.is_number()) {
        column.numbers[r] = value.get<double>();
      }
    }
  }
  return table;
}

std::vector<Json> rows_from_table(const SweepTable& table) {
  std::vector<Json> rows(table.rows, Json::object());
  for (const auto& column : table.columns) {
    for (size_t r = 0; r < table.rows; ++r) {
      if (column.text) {
        rows[r][column.name] = column.texts[r];
      } else if (std::isnan(column.numbers[r])) {
        rows[r][column.name] = nullptr;
      } else {
        rows[r][column.name] = column.numbers[r];
      }
    }
  }
  return rows;
}

}  // namespace kcsim

#include "analysis/sweep_query.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {
namespace {

std::string trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> split_conditions(const std::string& expression) {
  std::vector<std::string> parts;
  std::string current;
  for (size_t i = 0; i < expression.size(); ++i) {
    if (expression[i] == ',' || expression.compare(i, 2, "&&") == 0) {
      parts.push_back(trim(current));
      current.clear();
      if (expression[i] == '&') ++i;
    } else {
      current += expression[i];
    }
  }
  parts.push_back(trim(current));
  return parts;
}

bool better(double x, double y, bool maximize) { return maximize ? x > y : x < y; }

}  // namespace

const SweepColumn& resolve_column(const SweepTable& table, const std::string& name,
                                  const std::string& flag) {
  if (const SweepColumn* exact = table.find(name)) return *exact;
  std::vector<const SweepColumn*> matches;
  for (const auto& column : table.columns) {
    const std::string& full = column.name;
    if (full.size() > name.size() &&
        full.compare(full.size() - name.size(), name.size(), name) == 0 &&
        full[full.size() - name.size() - 1] == '.') {
      matches.push_back(&column);
    }
  }
  if (matches.size() == 1) return *matches.front();
  std::vector<std::string> names;
  if (matches.empty()) {
    for (const auto& column : table.columns) {
      if (!column.text) names.push_back(column.name);
    }
    throw_input_error(
        Origin{}, flag,
        fmt::format("no column \"{}\"; the numeric columns are: {}", name, fmt::join(names, ", ")));
  }
  for (const auto* column : matches) names.push_back(column->name);
  throw_input_error(Origin{}, flag,
                    fmt::format("\"{}\" names several columns: {}; give one in full", name,
                                fmt::join(names, ", ")));
}

bool Condition::holds(const SweepTable& table, size_t row) const {
  if (column->text) {
    bool equal = column->texts[row] == text;
    return op == "==" ? equal : !equal;
  }
  double value = table.number(*column, row);
  if (std::isnan(value)) return false;
  if (op == "<") return value < number;
  if (op == "<=") return value <= number;
  if (op == ">") return value > number;
  if (op == ">=") return value >= number;
  if (op == "==") return value == number;
  return value != number;
}

std::vector<Condition> parse_conditions(const SweepTable& table, const std::string& expression,
                                        const std::string& flag) {
  std::vector<Condition> conditions;
  if (trim(expression).empty()) return conditions;
  for (const auto& part : split_conditions(expression)) {
    auto at = part.find_first_of("<>=!");
    if (part.empty() || at == std::string::npos || at == 0) {
      throw_input_error(Origin{}, flag,
                        fmt::format("\"{}\" is not NAME OP VALUE (e.g. ttft_s<0.5)", part));
    }
    size_t length = at + 1 < part.size() && part[at + 1] == '=' ? 2 : 1;
    Condition condition;
    condition.op = part.substr(at, length);
    if (condition.op == "=" || condition.op == "!") {
      throw_input_error(Origin{}, flag, fmt::format("\"{}\": use one of < <= > >= == !=", part));
    }
    condition.column = &resolve_column(table, trim(part.substr(0, at)), flag);
    std::string value = trim(part.substr(at + length));
    if (condition.column->text) {
      if (condition.op != "==" && condition.op != "!=") {
        throw_input_error(Origin{}, flag,
                          fmt::format("\"{}\": {} holds text; compare it with == or !=", part,
                                      condition.column->name));
      }
      condition.text = value;
    } else {
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), condition.number);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
        throw_input_error(Origin{}, flag,
                          fmt::format("\"{}\": \"{}\" is not a number", part, value));
      }
    }
    conditions.push_back(condition);
  }
  return conditions;
}

std::vector<size_t> matching_rows(const SweepTable& table,
                                  const std::vector<Condition>& conditions) {
  const SweepColumn* status = table.find("status");
  std::vector<size_t> rows;
  for (size_t r = 0; r < table.rows; ++r) {
    if (status && status->text && status->texts[r] != "ok") continue;
    bool all = std::all_of(conditions.begin(), conditions.end(),
                           [&](const Condition& c) { return c.holds(table, r); });
    if (all) rows.push_back(r);
  }
  return rows;
}

std::vector<size_t> rank_rows(const SweepTable& table, std::vector<size_t> rows,
                              const Objective& objective) {
  std::erase_if(rows, [&](size_t r) { return std::isnan(table.number(*objective.column, r)); });
  std::stable_sort(rows.begin(), rows.end(), [&](size_t x, size_t y) {
    return better(table.number(*objective.column, x), table.number(*objective.column, y),
                  objective.maximize);
  });
  return rows;
}

std::vector<size_t> pareto_front(const SweepTable& table, const std::vector<size_t>& rows,
                                 const Objective& a, const Objective& b) {
  // Sorted best-first by a (ties: best b first), a row is on the front when its b beats the
  // best b of every row before it. A row equal to a front row on both is left out.
  std::vector<size_t> sorted = rank_rows(table, rows, b);
  sorted = rank_rows(table, sorted, a);
  std::vector<size_t> front;
  double best_b = 0;
  for (size_t r : sorted) {
    double value = table.number(*b.column, r);
    if (std::isnan(value)) continue;
    if (front.empty() || better(value, best_b, b.maximize)) {
      front.push_back(r);
      best_b = value;
    }
  }
  return front;
}

Objective parse_objective(const SweepTable& table, const std::string& text,
                          const std::string& flag) {
  auto colon = text.rfind(':');
  std::string direction = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (direction != "max" && direction != "min") {
    throw_input_error(Origin{}, flag, fmt::format("\"{}\" is not METRIC:max or METRIC:min", text));
  }
  Objective objective;
  objective.column = &resolve_column(table, text.substr(0, colon), flag);
  if (objective.column->text) {
    throw_input_error(Origin{}, flag,
                      fmt::format("{} holds text, not numbers", objective.column->name));
  }
  objective.maximize = direction == "max";
  return objective;
}

}  // namespace kcsim

// Questions asked of a sweep table: which rows meet conditions ("ttft_s<0.5"), which is best
// by one metric, and which are Pareto-optimal over two.
#pragma once

#include <string>
#include <vector>

#include "analysis/sweep_table.hpp"

namespace kcsim {

// A column named in full ("serving.ttft_s") or by its last part ("ttft_s") when exactly one
// column ends that way. Throws InputError naming `flag` and the candidates otherwise.
const SweepColumn& resolve_column(const SweepTable& table, const std::string& name,
                                  const std::string& flag);

// "NAME OP VALUE" conditions joined by "," or "&&"; OP is one of < <= > >= == !=. Text
// columns take == and !=. Throws InputError naming `flag` on a bad condition.
struct Condition {
  const SweepColumn* column = nullptr;
  std::string op;
  double number = 0;
  std::string text;
  bool holds(const SweepTable& table, size_t row) const;
};
std::vector<Condition> parse_conditions(const SweepTable& table, const std::string& expression,
                                        const std::string& flag = "--where");

// Rows whose status is "ok" and that meet every condition, in row order.
std::vector<size_t> matching_rows(const SweepTable& table,
                                  const std::vector<Condition>& conditions);

struct Objective {
  const SweepColumn* column = nullptr;
  bool maximize = true;
};

// `rows` ordered best first by `objective` (rows with no value dropped); ties keep row order.
std::vector<size_t> rank_rows(const SweepTable& table, std::vector<size_t> rows,
                              const Objective& objective);

// The rows no other row beats on both objectives (at least as good on both, better on one),
// ordered by the first objective, best first. Rows with no value on either are dropped.
std::vector<size_t> pareto_front(const SweepTable& table, const std::vector<size_t>& rows,
                                 const Objective& a, const Objective& b);

// "METRIC:max" or "METRIC:min".
Objective parse_objective(const SweepTable& table, const std::string& text,
                          const std::string& flag);

}  // namespace kcsim

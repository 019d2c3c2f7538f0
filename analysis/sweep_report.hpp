// A sweep table as one self-contained HTML page: inline CSS and SVG charts drawn here (no
// scripts, fonts or anything fetched), so it opens anywhere without a network. It shows the
// Pareto frontier of two metrics over every feasible point, coloured by chip; a chip
// comparison (the best of each metric per chip); the frontier's points in full; and a table of
// every point with its status and error.
#pragma once

#include <ostream>

#include "analysis/sweep_query.hpp"

namespace kcsim {

struct ReportOptions {
  Objective x, y;          // the frontier's two metrics
  size_t max_rows = 5000;  // rows in the per-point table; the rest are counted, not shown
};

void write_sweep_report(std::ostream& out, const SweepTable& table, const ReportOptions& options);

}  // namespace kcsim

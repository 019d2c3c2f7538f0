#include "analysis/sweep_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace kcsim {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                    "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string number_text(double value) {
  if (std::isnan(value)) return "";
  double magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return fmt::format("{:.3e}", value);
  return fmt::format("{:.4g}", value);
}

// Round tick positions covering [low, high].
std::vector<double> ticks(double low, double high) {
  double span = high - low;
  if (span <= 0) span = std::fabs(high) > 0 ? std::fabs(high) : 1;
  double step = std::pow(10, std::floor(std::log10(span / 5)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (span / (step * factor) <= 6) {
      step *= factor;
      break;
    }
  }
  std::vector<double> out;
  for (double t = std::ceil(low / step) * step; t <= high + step * 1e-9; t += step) {
    out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}

// Linear, or logarithmic when every value is positive and they span more than 100x.
struct Scale {
  double low, high, from, to;
  bool log = false;
  double operator()(double v) const {
    double t = log ? std::log10(v) : v;
    return high == low ? (from + to) / 2 : from + (t - low) / (high - low) * (to - from);
  }
  std::vector<double> ticks() const {
    if (!log) return kcsim::ticks(low, high);
    std::vector<double> out;
    for (double e = std::ceil(low); e <= high + 1e-9; e += 1) out.push_back(std::pow(10, e));
    return out;
  }
};

Scale make_scale(double low, double high, double from, double to) {
  Scale scale{low, high, from, to};
  if (low > 0 && high / low > 100) {
    scale.log = true;
    low = std::log10(low);
    high = std::log10(high);
  }
  double pad = (high - low) * 0.05;
  if (pad == 0) pad = std::fabs(high) * 0.05 + 1e-12;
  scale.low = low - pad;
  scale.high = high + pad;
  return scale;
}

std::string direction(const Objective& o) {
  return o.maximize ? "higher is better" : "lower is better";
}

void frontier_chart(std::ostream& out, const SweepTable& table, const std::vector<size_t>& rows,
                    const std::vector<size_t>& front, const ReportOptions& options,
                    const std::map<std::string, size_t>& chip_colour, const SweepColumn* chip) {
  constexpr double kW = 760, kH = 440, kLeft = 80, kRight = 20, kTop = 20, kBottom = 60;
  double xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY;
  for (size_t r : rows) {
    double x = table.number(*options.x.column, r), y = table.number(*options.y.column, r);
    if (std::isnan(x) || std::isnan(y)) continue;
    xl = std::min(xl, x), xh = std::max(xh, x), yl = std::min(yl, y), yh = std::max(yh, y);
  }
  out << fmt::format(
      "<svg class=\"chart\" id=\"frontier-chart\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Pareto frontier\">\n",
      kW, kH, kW, kH);
  out << fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"plot\"/>\n", kLeft,
                     kTop, kW - kLeft - kRight, kH - kTop - kBottom);
  if (xl > xh) {
    out << fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no feasible point has both "
        "metrics</text></svg>\n",
        kW / 2, kH / 2);
    return;
  }
  Scale sx = make_scale(xl, xh, kLeft, kW - kRight);
  Scale sy = make_scale(yl, yh, kH - kBottom, kTop);
  for (double t : sx.ticks()) {
    out << fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        sx(t), kTop, kH - kBottom, kH - kBottom + 16, number_text(t));
  }
  for (double t : sy.ticks()) {
    out << fmt::format(
        "<line x1=\"{1}\" x2=\"{2}\" y1=\"{0:.1f}\" y2=\"{0:.1f}\" class=\"grid\"/>"
        "<text x=\"{3}\" y=\"{0:.1f}\" text-anchor=\"end\" dy=\"4\">{4}</text>\n",
        sy(t), kLeft, kW - kRight, kLeft - 6, number_text(t));
  }
  out << fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"label\">{} ({}{})"
      "</text>\n",
      (kLeft + kW - kRight) / 2, kH - 18, escape(options.x.column->name), direction(options.x),
      sx.log ? ", log" : "");
  out << fmt::format(
      "<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\" "
      "class=\"label\">{} ({}{})</text>\n",
      (kTop + kH - kBottom) / 2, escape(options.y.column->name), direction(options.y),
      sy.log ? ", log" : "");
  for (size_t r : rows) {
    double x = table.number(*options.x.column, r), y = table.number(*options.y.column, r);
    if (std::isnan(x) || std::isnan(y)) continue;
    size_t colour = chip ? chip_colour.at(chip->texts[r]) : 0;
    out << fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\" class=\"point\">"
        "<title>point {}: {} = {}, {} = {}</title></circle>\n",
        sx(x), sy(y), kPalette[colour % 8], table.cell(*table.find("point"), r),
        escape(options.x.column->name), number_text(x), escape(options.y.column->name),
        number_text(y));
  }
  std::string path;
  for (size_t r : front) {
    path +=
        fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L",
                    sx(table.number(*options.x.column, r)), sy(table.number(*options.y.column, r)));
  }
  out << fmt::format("<path d=\"{}\" class=\"front\" id=\"frontier-line\"/>\n", path);
  for (size_t r : front) {
    out << fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"6\" class=\"front-point\"/>\n",
                       sx(table.number(*options.x.column, r)),
                       sy(table.number(*options.y.column, r)));
  }
  out << "</svg>\n";
}

// One bar chart: the best value of `objective` per chip.
void chip_bars(std::ostream& out, const SweepTable& table, const std::vector<size_t>& rows,
               const Objective& objective, const SweepColumn* chip,
               const std::map<std::string, size_t>& chip_colour, const std::string& id) {
  std::map<std::string, double> best;
  for (size_t r : rows) {
    double v = table.number(*objective.column, r);
    if (std::isnan(v)) continue;
    std::string name = chip ? chip->texts[r] : "all";
    auto [it, fresh] = best.emplace(name, v);
    if (!fresh) it->second = objective.maximize ? std::max(it->second, v) : std::min(it->second, v);
  }
  constexpr double kW = 560, kLeft = 110, kRight = 80, kBar = 26, kTop = 30;
  double height = kTop + static_cast<double>(std::max<size_t>(best.size(), 1)) * (kBar + 8) + 10;
  out << fmt::format(
      "<svg class=\"chart\" id=\"{}\" width=\"{}\" height=\"{:.0f}\" viewBox=\"0 0 {} "
      "{:.0f}\" role=\"img\">\n",
      id, kW, height, kW, height);
  out << fmt::format("<text x=\"4\" y=\"18\" class=\"label\">best {} per chip ({})</text>\n",
                     escape(objective.column->name), direction(objective));
  double top = 0;
  for (const auto& [name, v] : best) top = std::max(top, std::fabs(v));
  double y = kTop;
  for (const auto& [name, v] : best) {
    double width = top > 0 ? std::fabs(v) / top * (kW - kLeft - kRight) : 0;
    out << fmt::format(
        "<text x=\"{}\" y=\"{:.0f}\" text-anchor=\"end\">{}</text>"
        "<rect x=\"{}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" "
        "class=\"bar\"/><text x=\"{:.1f}\" y=\"{:.0f}\">{}</text>\n",
        kLeft - 6, y + kBar * 0.65, escape(name), kLeft, y, std::max(width, 1.0), kBar,
        kPalette[(chip_colour.count(name) ? chip_colour.at(name) : 0) % 8], kLeft + width + 4,
        y + kBar * 0.65, number_text(v));
    y += kBar + 8;
  }
  out << "</svg>\n";
}

void rows_table(std::ostream& out, const SweepTable& table, const std::vector<size_t>& rows,
                const std::vector<const SweepColumn*>& columns, const std::string& id) {
  out << "<table id=\"" << id << "\"><thead><tr>";
  for (const auto* c : columns) out << "<th>" << escape(c->name) << "</th>";
  out << "</tr></thead><tbody>\n";
  for (size_t r : rows) {
    out << "<tr>";
    for (const auto* c : columns) {
      std::string cell = c->text ? table.cell(*c, r) : number_text(table.number(*c, r));
      out << "<td>" << escape(cell) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

}  // namespace

void write_sweep_report(std::ostream& out, const SweepTable& table, const ReportOptions& options) {
  const SweepColumn* chip = table.find("chip");
  std::vector<size_t> ok = matching_rows(table, {});
  std::vector<size_t> front = pareto_front(table, ok, options.x, options.y);
  std::map<std::string, size_t> chip_colour;
  if (chip) {
    for (size_t r : ok) chip_colour.emplace(chip->texts[r], 0);
    size_t next = 0;
    for (auto& [name, colour] : chip_colour) colour = next++;
  }
  std::map<std::string, size_t> by_status;
  if (const SweepColumn* status = table.find("status")) {
    for (const auto& s : status->texts) ++by_status[s];
  }

  std::string title = table.attribute("sweep_name");
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
      << escape(title) << " - kcsim sweep</title>\n<style>\n"
      << "body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1200px}\n"
      << "h1{font-size:22px}h2{font-size:17px;margin-top:28px}\n"
      << "svg.chart{border:1px solid #ddd;background:#fff;margin:4px}\n"
      << "svg text{font:11px sans-serif;fill:#333}svg text.label{font-size:12px;font-weight:bold}\n"
      << ".plot{fill:#fafafa;stroke:#ccc}.grid{stroke:#e4e4e4}\n"
      << ".front{fill:none;stroke:#000;stroke-width:1.5}.front-point{fill:none;stroke:#000;"
         "stroke-width:1.5}\n"
      << "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px "
         "6px;"
         "text-align:right}th{background:#f0f0f0}\n"
      << ".legend span{display:inline-block;margin-right:14px}.swatch{width:10px;height:10px;"
         "display:inline-block;margin-right:4px}\n"
      << ".scroll{max-height:600px;overflow:auto}\n"
      << "</style></head><body>\n";
  out << "<h1>" << escape(title) << "</h1>\n";
  if (!table.attribute("sweep_description").empty()) {
    out << "<p>" << escape(table.attribute("sweep_description")) << "</p>\n";
  }
  out << "<p>" << table.rows << " rows from " << escape(table.attribute("points_done")) << " of "
      << escape(table.attribute("points_total")) << " points (";
  bool first = true;
  for (const auto& [status, count] : by_status) {
    out << (first ? "" : ", ") << count << " " << escape(status);
    first = false;
  }
  out << "); engine " << escape(table.attribute("engine")) << "; "
      << escape(table.attribute("kcsim_version")) << ".</p>\n";

  out << "<h2>Pareto frontier</h2>\n<p>Every feasible point; the black line joins the "
      << front.size() << " points no other point beats on both " << escape(options.x.column->name)
      << " and " << escape(options.y.column->name) << ".</p>\n";
  out << "<div class=\"legend\">";
  for (const auto& [name, colour] : chip_colour) {
    out << "<span><i class=\"swatch\" style=\"background:" << kPalette[colour % 8] << "\"></i>"
        << escape(name) << "</span>";
  }
  out << "</div>\n";
  frontier_chart(out, table, ok, front, options, chip_colour, chip);

  out << "<h2>Chip comparison</h2>\n<div>\n";
  chip_bars(out, table, ok, options.y, chip, chip_colour, "chip-chart-y");
  chip_bars(out, table, ok, options.x, chip, chip_colour, "chip-chart-x");
  out << "</div>\n";

  out << "<h2>Frontier points</h2>\n<div class=\"scroll\">\n";
  std::vector<const SweepColumn*> all;
  for (const auto& c : table.columns) all.push_back(&c);
  rows_table(out, table, front, all, "frontier-table");
  out << "</div>\n";

  out << "<h2>Every point</h2>\n";
  std::vector<const SweepColumn*> brief;
  for (const auto& c : table.columns) {
    bool wanted = c.name == "point" || c.name == "run" || c.name == "status" || c.name == "chip" ||
                  c.name == "cluster" || c.name.rfind("axis.", 0) == 0 || &c == options.x.column ||
                  &c == options.y.column || c.name == "error";
    if (wanted) brief.push_back(&c);
  }
  std::vector<size_t> every;
  for (size_t r = 0; r < std::min(table.rows, options.max_rows); ++r) every.push_back(r);
  if (table.rows > options.max_rows) {
    out << "<p>The first " << options.max_rows << " of " << table.rows
        << " rows; the HDF5 file holds them all.</p>\n";
  }
  out << "<div class=\"scroll\">\n";
  rows_table(out, table, every, brief, "points-table");
  out << "</div>\n</body></html>\n";
}

}  // namespace kcsim

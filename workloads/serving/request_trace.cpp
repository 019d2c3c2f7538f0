#include "workloads/serving/request_trace.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_files.hpp"

namespace kcsim::serving {
namespace {

bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool parse_double(const std::string& text, double& value) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

bool parse_int(const std::string& text, int64_t& value) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Bounds that keep every figure computed from a trace finite and the run within memory.
constexpr int64_t kMaxTraceTokens = 100'000'000;
constexpr int64_t kMaxTraceRequests = 100'000'000;
constexpr double kMaxTraceSpanS = 1e9;

}  // namespace

double parse_datetime_s(const std::string& text) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  int y, mo, d, h, mi;
  char sep;
  int used = 0;
  double sec;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%lf%n", &y, &mo, &d, &sep, &h, &mi, &sec,
                  &used) != 7 ||
      static_cast<size_t>(used) != text.size() || (sep != ' ' && sep != 'T') || mo < 1 || mo > 12 ||
      d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61) {
    return nan;
  }
  return static_cast<double>(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
}

RequestStream read_request_trace(const std::string& path, const TraceColumns& columns) {
  std::ifstream in = config::open_input_file(path);
  std::string line;
  int64_t line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    // A UTF-8 byte-order mark (spreadsheet exports write one) is not part of the first name.
    if (line_no == 1 && line.rfind(kUtf8Bom, 0) == 0) line.erase(0, kUtf8Bom.size());
    if (line.empty() || line[0] == '#') continue;  // comments before the header
    header = config::split_csv_line(line);
  }
  if (header.empty()) throw InputError(fmt::format("{}: the request trace is empty", path));
  auto find = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (same_name(header[i], name)) return i;
    }
    throw InputError(fmt::format("{}:{}:1: header: no column \"{}\" (columns: {})", path, line_no,
                                 name, fmt::join(header, ", ")));
  };
  size_t ts = find(columns.timestamp), in_col = find(columns.input_tokens),
         out_col = find(columns.output_tokens);
  // The 1-based character column where cell `index` starts, for error messages.
  auto column_of = [](const std::string& text, size_t index) {
    size_t pos = 0;
    for (size_t i = 0; i < index; ++i) pos = text.find(',', pos) + 1;
    return pos + 1;
  };

  RequestStream requests;
  double first = 0, previous = 0;
  bool datetime = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r" || line[0] == '#') continue;
    auto cells = config::split_csv_line(line);
    auto fail = [&](size_t index, const std::string& field, const std::string& what) {
      throw InputError(fmt::format("{}:{}:{}: {}: {}", path, line_no,
                                   index < cells.size() ? column_of(line, index) : line.size() + 1,
                                   field, what));
    };
    size_t needed = std::max({ts, in_col, out_col}) + 1;
    if (cells.size() < needed) {
      fail(cells.size(), header[std::min(needed - 1, header.size() - 1)],
           fmt::format("the row has {} cells, the header {}", cells.size(), header.size()));
    }
    double t;
    const std::string& stamp = cells[ts];
    if (requests.empty()) datetime = !parse_double(stamp, t);
    if (datetime) {
      t = parse_datetime_s(stamp);
      if (std::isnan(t)) {
        fail(ts, header[ts],
             fmt::format("\"{}\" is not a datetime (YYYY-MM-DD HH:MM:SS[.fraction])", stamp));
      }
    } else if (!parse_double(stamp, t)) {
      fail(ts, header[ts], fmt::format("\"{}\" is not a time in seconds", stamp));
    }
    Request r;
    if (!parse_int(cells[in_col], r.input_tokens) || r.input_tokens < 1 ||
        r.input_tokens > kMaxTraceTokens) {
      fail(in_col, header[in_col],
           fmt::format("\"{}\" is not a token count in [1, {}]", cells[in_col], kMaxTraceTokens));
    }
    if (!parse_int(cells[out_col], r.output_tokens) || r.output_tokens < 0 ||
        r.output_tokens > kMaxTraceTokens) {
      fail(out_col, header[out_col],
           fmt::format("\"{}\" is not a token count in [0, {}]", cells[out_col], kMaxTraceTokens));
    }
    if (static_cast<int64_t>(requests.size()) >= kMaxTraceRequests) {
      fail(0, header[ts], fmt::format("more than {} requests; split the trace", kMaxTraceRequests));
    }
    r.output_tokens = std::max<int64_t>(1, r.output_tokens);
    if (requests.empty()) first = t;
    if (!requests.empty() && t < previous) {
      fail(ts, header[ts], "timestamps must not decrease from one row to the next");
    }
    previous = t;
    r.arrival_s = t - first;
    if (!(r.arrival_s <= kMaxTraceSpanS)) {
      fail(ts, header[ts],
           fmt::format("\"{}\" lies {:.3g} s after the first request; a trace may span at most "
                       "{:g} s",
                       stamp, r.arrival_s, kMaxTraceSpanS));
    }
    r.id = static_cast<int64_t>(requests.size());
    requests.push_back(r);
  }
  if (requests.empty()) throw InputError(fmt::format("{}: the request trace has no rows", path));
  return requests;
}

}  // namespace kcsim::serving

#include "sim/sweep/record_table.hpp"

#include <charconv>
#include <cmath>
#include <deque>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

namespace kcsim::sweep {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void expect(char c) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != c) fail(fmt::format("'{}' expected", c));
    ++pos_;
  }
  // Consumes `c` when it comes next.
  bool take(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }

  std::string string() {
    std::string out;
    string(out);
    return out;
  }
  void string(std::string& out) {
    out.clear();
    expect('"');
    while (true) {
      // The run of plain characters up to the next quote or escape, in one append.
      size_t plain = text_.find_first_of("\"\\", pos_);
      if (plain == std::string::npos) fail("unterminated string");
      out.append(text_, pos_, plain - pos_);
      pos_ = plain;
      char c = text_[pos_++];
      if (c == '"') return;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          append_utf8(out, code_point());
          break;
        default:
          fail("unknown escape");
      }
    }
  }

  FlatValue value() {
    skip_space();
    if (pos_ >= text_.size()) fail("value expected");
    FlatValue v;
    char c = text_[pos_];
    if (c == '"') {
      v.kind = FlatValue::Text;
      v.text = string();
    } else if (word("null")) {
      v.kind = FlatValue::Null;
    } else if (word("true")) {
      v.kind = FlatValue::Bool;
      v.number = 1;
    } else if (word("false")) {
      v.kind = FlatValue::Bool;
      v.number = 0;
    } else {
      v.kind = FlatValue::Number;
      const char* begin = text_.data() + pos_;
      auto [end, error] = std::from_chars(begin, text_.data() + text_.size(), v.number);
      if (error != std::errc()) fail("number expected");
      pos_ += static_cast<size_t>(end - begin);
    }
    return v;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(fmt::format("sweep record, at byte {}: {}", pos_, what));
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool word(std::string_view w) {
    if (text_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  unsigned hex4() {
    if (pos_ + 4 > text_.size()) fail("short \\u escape");
    unsigned value = 0;
    auto [end, error] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, value, 16);
    if (error != std::errc() || end != text_.data() + pos_ + 4) fail("bad \\u escape");
    pos_ += 4;
    return value;
  }
  unsigned code_point() {
    unsigned first = hex4();
    if (first < 0xD800 || first > 0xDBFF) return first;
    if (!word("\\u")) fail("lone surrogate");
    unsigned second = hex4();
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }
  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Key names and their numbers, for the life of the process.
struct KeyTable {
  std::mutex lock;
  std::unordered_map<std::string, uint32_t> ids;
  std::deque<std::string> names;  // stable addresses for record_key()

  uint32_t id(const std::string& name) {
    std::lock_guard<std::mutex> hold(lock);
    auto [it, added] = ids.emplace(name, static_cast<uint32_t>(names.size()));
    if (added) names.push_back(name);
    return it->second;
  }
};

KeyTable& keys() {
  static KeyTable table;
  return table;
}

// {"run": r, "NAME": [number, ...], ...}.
std::pair<size_t, TimeSeries> series_entry(Reader& in) {
  std::pair<size_t, TimeSeries> entry;
  bool run = false;
  in.expect('{');
  do {
    std::string name = in.string();
    in.expect(':');
    if (name == "run") {
      FlatValue v = in.value();
      if (v.kind != FlatValue::Number || v.number < 0) in.fail("\"run\" is not an index");
      entry.first = static_cast<size_t>(v.number);
      run = true;
      continue;
    }
    std::vector<double> values;
    in.expect('[');
    if (!in.take(']')) {
      do {
        FlatValue v = in.value();
        if (v.kind != FlatValue::Number) in.fail("a series holds numbers");
        values.push_back(v.number);
      } while (in.take(','));
      in.expect(']');
    }
    entry.second.names.push_back(std::move(name));
    entry.second.columns.push_back(std::move(values));
  } while (in.take(','));
  in.expect('}');
  if (!run) in.fail("a series has \"run\"");
  return entry;
}

}  // namespace

const std::string& record_key(uint32_t id) {
  std::lock_guard<std::mutex> hold(keys().lock);
  return keys().names.at(id);
}

FlatRecord parse_record(std::string_view line) {
  static const uint32_t inputs_id = keys().id(kInputsHashColumn);
  Reader in(line);
  FlatRecord record;
  std::string name;
  bool point = false, rows = false;
  in.expect('{');
  if (!in.take('}')) {
    do {
      std::string key = in.string();
      in.expect(':');
      if (key == "point") {
        FlatValue v = in.value();
        if (v.kind != FlatValue::Number || v.number < 0) in.fail("\"point\" is not an index");
        record.point = static_cast<size_t>(v.number);
        point = true;
      } else if (key == "rows") {
        rows = true;
        in.expect('[');
        if (!in.take(']')) {
          do {
            auto& row = record.rows.emplace_back();
            in.expect('{');
            if (in.take('}')) continue;
            do {
              in.string(name);
              in.expect(':');
              uint32_t id = keys().id(name);
              row.emplace_back(id, in.value());
              if (id == inputs_id && record.rows.size() == 1 &&
                  row.back().second.kind == FlatValue::Text) {
                record.inputs_hash = row.back().second.text;
              }
            } while (in.take(','));
            in.expect('}');
          } while (in.take(','));
          in.expect(']');
        }
      } else if (key == "series") {
        in.expect('[');
        if (!in.take(']')) {
          do {
            record.series.push_back(series_entry(in));
          } while (in.take(','));
          in.expect(']');
        }
      } else {
        in.value();
      }
    } while (in.take(','));
    in.expect('}');
  }
  if (!in.at_end()) in.fail("text after the record");
  if (!point || !rows) in.fail("a record has \"point\" and \"rows\"");
  return record;
}

SweepTable table_from_records(const std::map<size_t, FlatRecord>& records,
                              const std::vector<ColumnSpec>& specs) {
  std::unordered_map<std::string, size_t> by_name;
  std::vector<ColumnSpec> all = specs;
  for (size_t i = 0; i < all.size(); ++i) by_name.emplace(all[i].name, i);
  // Key number -> column; kNone until looked up.
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> column_of;
  auto known = [&](uint32_t key) {
    if (key >= column_of.size()) column_of.resize(key + 1, kNone);
    if (column_of[key] == kNone) {
      if (auto it = by_name.find(record_key(key)); it != by_name.end()) column_of[key] = it->second;
    }
    return column_of[key] != kNone;
  };
  // Keys beyond the known columns: a column each, sorted by name, text if any row holds text.
  std::map<std::string, std::pair<bool, std::vector<uint32_t>>> extra;
  size_t rows = 0;
  for (const auto& [point, record] : records) {
    rows += record.rows.size();
    for (const auto& row : record.rows) {
      for (const auto& [key, value] : row) {
        if (known(key)) continue;
        auto& entry = extra[record_key(key)];
        entry.first = entry.first || value.kind == FlatValue::Text;
        if (entry.second.empty() || entry.second.back() != key) entry.second.push_back(key);
      }
    }
  }
  for (const auto& [name, entry] : extra) {
    for (uint32_t key : entry.second) column_of[key] = all.size();
    all.push_back({name, entry.first});
  }

  SweepTable table;
  table.rows = rows;
  for (const auto& [point, record] : records) {
    for (const auto& [run, series] : record.series) table.series.push_back({point, run, series});
  }
  table.columns.reserve(all.size());
  for (const auto& spec : all) {
    SweepColumn column;
    column.name = spec.name;
    column.text = spec.text;
    if (spec.text)
      column.texts.assign(rows, "");
    else
      column.numbers.assign(rows, std::numeric_limits<double>::quiet_NaN());
    table.columns.push_back(std::move(column));
  }
  size_t r = 0;
  for (const auto& [point, record] : records) {
    for (const auto& row : record.rows) {
      for (const auto& [key, value] : row) {
        SweepColumn& column = table.columns[column_of[key]];
        if (column.text) {
          if (value.kind == FlatValue::Text)
            column.texts[r] = value.text;
          else if (value.kind == FlatValue::Bool)
            column.texts[r] = value.number != 0 ? "true" : "false";
          else if (value.kind == FlatValue::Number)
            column.texts[r] = fmt::format("{}", value.number);
        } else if (value.kind == FlatValue::Number || value.kind == FlatValue::Bool) {
          column.numbers[r] = value.number;
        }
      }
      ++r;
    }
  }
  return table;
}

}  // namespace kcsim::sweep

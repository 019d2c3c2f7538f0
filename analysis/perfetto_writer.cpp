#include "analysis/perfetto_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "analysis/json_string.hpp"
#include "configs/loader/output_files.hpp"

namespace kcsim {

namespace {

constexpr std::size_t flush_threshold_bytes = std::size_t{1} << 20;

// Trace ids: processes are numbered from 1 in the order named, threads from 1 across the whole
// trace (unique, so no viewer can mix up two processes' threads); 0 means "process-wide".
std::uint32_t pid_of_process(std::uint32_t process) { return process + 1; }
std::uint32_t tid_of_track(std::uint32_t track) { return track + 1; }

// Whole nanoseconds, so that ts + dur of adjacent spans meet exactly after formatting.
std::int64_t to_ns(double time_s) { return std::llround(time_s * 1e9); }

struct SortKey {
  std::int64_t ts_ns;
  std::uint32_t pid;
  std::uint32_t tid;
  std::int64_t dur_ns;
  std::uint32_t index;

  bool operator<(const SortKey& other) const {
    if (ts_ns != other.ts_ns) return ts_ns < other.ts_ns;
    if (pid != other.pid) return pid < other.pid;
    if (tid != other.tid) return tid < other.tid;
    if (dur_ns != other.dur_ns) return dur_ns > other.dur_ns;
    return index < other.index;
  }
};

std::vector<SortKey> sorted_keys(const Timeline& timeline) {
  const auto& events = timeline.events();
  std::vector<SortKey> keys;
  keys.reserve(events.size());
  for (std::uint32_t i = 0; i < events.size(); ++i) {
    const TimelineEvent& event = events[i];
    std::int64_t ts_ns = to_ns(event.start_s);
    if (event.kind == TimelineEventKind::counter) {
      std::uint32_t process = timeline.counters()[event.track].process;
      keys.push_back({ts_ns, pid_of_process(process), 0, 0, i});
    } else {
      std::uint32_t process = timeline.tracks()[event.track].process;
      std::int64_t dur_ns = to_ns(event.end_s_or_value) - ts_ns;
      keys.push_back({ts_ns, pid_of_process(process), tid_of_track(event.track), dur_ns, i});
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

class TraceEmitter {
 public:
  TraceEmitter(const Timeline& timeline, std::function<void(std::string_view)> sink)
      : timeline_(timeline), sink_(std::move(sink)) {}

  void emit() {
    text("{\"traceEvents\":[");
    emit_metadata();
    for (const SortKey& key : sorted_keys(timeline_)) {
      emit_event(timeline_.events()[key.index], key);
    }
    text("\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{");
    bool first = true;
    for (const auto& [key, value] : timeline_.metadata()) {
      if (!first) buffer_.push_back(',');
      first = false;
      append_json_string(buffer_, key);
      buffer_.push_back(':');
      append_json_string(buffer_, value);
    }
    text("}}\n");
    flush();
  }

 private:
  void text(std::string_view s) { buffer_.append(s); }
  void string(std::string_view s) { append_json_string(buffer_, s); }
  void microseconds(std::int64_t ns) {
    fmt::format_to(fmt::appender(buffer_), "{}.{:03}", ns / 1000, ns % 1000);
  }
  void number(double value) { fmt::format_to(fmt::appender(buffer_), "{}", value); }

  // Each event on its own line, after a comma unless it is the first.
  void begin_event() {
    text(events_written_ == 0 ? "\n{" : ",\n{");
    ++events_written_;
  }
  void end_event() {
    buffer_.push_back('}');
    if (buffer_.size() >= flush_threshold_bytes) flush();
  }

  void flush() {
    sink_(std::string_view(buffer_.data(), buffer_.size()));
    buffer_.clear();
  }

  void emit_metadata() {
    const auto& processes = timeline_.processes();
    for (std::uint32_t p = 0; p < processes.size(); ++p) {
      std::uint32_t pid = pid_of_process(p);
      begin_event();
      fmt::format_to(fmt::appender(buffer_),
                     "\"ph\":\"M\",\"pid\":{},\"name\":\"process_name\",\"args\":{{\"name\":", pid);
      string(timeline_.text(processes[p].name));
      text("}");
      end_event();
      begin_event();
      fmt::format_to(fmt::appender(buffer_),
                     "\"ph\":\"M\",\"pid\":{},\"name\":\"process_sort_index\","
                     "\"args\":{{\"sort_index\":{}}}",
                     pid, pid);
      end_event();
    }
    const auto& tracks = timeline_.tracks();
    for (std::uint32_t t = 0; t < tracks.size(); ++t) {
      std::uint32_t pid = pid_of_process(tracks[t].process);
      std::uint32_t tid = tid_of_track(t);
      begin_event();
      fmt::format_to(fmt::appender(buffer_),
                     "\"ph\":\"M\",\"pid\":{},\"tid\":{},\"name\":\"thread_name\","
                     "\"args\":{{\"name\":",
                     pid, tid);
      string(timeline_.text(tracks[t].name));
      text("}");
      end_event();
      begin_event();
      fmt::format_to(fmt::appender(buffer_),
                     "\"ph\":\"M\",\"pid\":{},\"tid\":{},\"name\":\"thread_sort_index\","
                     "\"args\":{{\"sort_index\":{}}}",
                     pid, tid, tid);
      end_event();
    }
  }

  void emit_args(const TimelineEvent& event) {
    if (event.arg_count == 0) return;
    text(",\"args\":{");
    bool first = true;
    for (const TimelineArg& arg : timeline_.args(event)) {
      if (!first) buffer_.push_back(',');
      first = false;
      string(timeline_.text(arg.key));
      buffer_.push_back(':');
      if (arg.is_text) {
        string(timeline_.text(arg.text));
      } else {
        number(arg.number);
      }
    }
    buffer_.push_back('}');
  }

  void emit_event(const TimelineEvent& event, const SortKey& key) {
    begin_event();
    switch (event.kind) {
      case TimelineEventKind::span:
        fmt::format_to(fmt::appender(buffer_),
                       "\"ph\":\"X\",\"pid\":{},\"tid\":{},\"ts\":", key.pid, key.tid);
        microseconds(key.ts_ns);
        text(",\"dur\":");
        microseconds(key.dur_ns);
        break;
      case TimelineEventKind::instant:
        fmt::format_to(fmt::appender(buffer_),
                       "\"ph\":\"i\",\"s\":\"t\",\"pid\":{},\"tid\":{},\"ts\":", key.pid, key.tid);
        microseconds(key.ts_ns);
        break;
      case TimelineEventKind::counter: {
        const TimelineCounter& counter = timeline_.counters()[event.track];
        fmt::format_to(fmt::appender(buffer_), "\"ph\":\"C\",\"pid\":{},\"ts\":", key.pid);
        microseconds(key.ts_ns);
        text(",\"name\":");
        string(timeline_.text(counter.name));
        text(",\"args\":{");
        string(timeline_.text(counter.series));
        buffer_.push_back(':');
        number(event.end_s_or_value);
        text("}");
        end_event();
        return;
      }
    }
    text(",\"name\":");
    string(timeline_.text(event.name));
    text(",\"cat\":");
    string(timeline_.text(event.category));
    emit_args(event);
    end_event();
  }

  const Timeline& timeline_;
  std::function<void(std::string_view)> sink_;
  fmt::memory_buffer buffer_;
  std::size_t events_written_ = 0;
};

}  // namespace

std::string to_chrome_trace_json(const Timeline& timeline) {
  std::string json;
  TraceEmitter(timeline, [&json](std::string_view chunk) { json.append(chunk); }).emit();
  return json;
}

void write_chrome_trace(const Timeline& timeline, std::ostream& out) {
  TraceEmitter(timeline, [&out](std::string_view chunk) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  }).emit();
}

void write_chrome_trace(const Timeline& timeline, const std::filesystem::path& path) {
  write_file_atomically(path,
                        [&timeline](std::ostream& out) { write_chrome_trace(timeline, out); });
}

}  // namespace kcsim

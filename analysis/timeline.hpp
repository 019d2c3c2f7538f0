// What happened when, as plain data: spans, instants and counter samples on named tracks.
// Engines (or observers of them) fill a Timeline; writers such as the Perfetto trace read it.
// Insertion is cheap: names are interned to integer ids and events live in one flat vector.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kcsim {

// Index into a Timeline's string table.
using StringId = std::uint32_t;

// A thread-like track that holds spans and instants, e.g. "compute" of process "device 3".
struct TrackId {
  std::uint32_t index = 0;
};

// A track of numeric samples, e.g. the utilisation of one link, or a device's power.
struct CounterId {
  std::uint32_t index = 0;
};

// One argument shown with a span or instant: a number or a text. It holds views of its
// strings, so build it in the call that records it: add_span(..., {{"bytes", 4e8}}).
class TraceArg {
 public:
  TraceArg(std::string_view key, double number) : key_(key), number_(number) {}
  template <std::integral Integer>
  TraceArg(std::string_view key, Integer number)
      : key_(key), number_(static_cast<double>(number)) {}
  TraceArg(std::string_view key, std::string_view text) : key_(key), text_(text), is_text_(true) {}
  TraceArg(std::string_view key, const char* text) : TraceArg(key, std::string_view(text)) {}
  TraceArg(std::string_view key, const std::string& text) : TraceArg(key, std::string_view(text)) {}

  std::string_view key() const { return key_; }
  bool is_text() const { return is_text_; }
  double number() const { return number_; }
  std::string_view text() const { return text_; }

 private:
  std::string_view key_;
  double number_ = 0;
  std::string_view text_;
  bool is_text_ = false;
};

using TraceArgs = std::initializer_list<TraceArg>;

struct TimelineProcess {
  StringId name;
};

struct TimelineTrack {
  std::uint32_t process;  // index into processes()
  StringId name;
};

struct TimelineCounter {
  std::uint32_t process;  // index into processes()
  StringId name;
  StringId series;  // the sample's key, e.g. "utilisation" or "W"
};

// An argument as stored: the key and either a number or an interned text.
struct TimelineArg {
  StringId key;
  bool is_text;
  StringId text;
  double number;
};

enum class TimelineEventKind : std::uint8_t { span, instant, counter };

struct TimelineEvent {
  double start_s;           // the sample's time for counters
  double end_s_or_value;    // span: end time; counter: the value; instant: equals start_s
  std::uint32_t track;      // a TrackId, or a CounterId for counters
  StringId name;            // unused for counters
  StringId category;        // unused for counters
  std::uint32_t first_arg;  // index into args()
  std::uint16_t arg_count;
  TimelineEventKind kind;
};

class Timeline {
 public:
  // Times are seconds from the start of the run: finite, not negative, below this bound.
  static constexpr double max_time_s = 1e9;

  // The track named `thread` in process `process`, made on first use. Processes and tracks
  // are shown in the order they were first named.
  TrackId track(std::string_view process, std::string_view thread);
  // The counter `name` in process `process`, its samples keyed by `series`; made on first use.
  // Perfetto shows it as "name series".
  CounterId counter(std::string_view process, std::string_view name,
                    std::string_view series = "value");

  // Throws std::invalid_argument for end < start, a time out of range, a non-finite number,
  // or an unknown track.
  void add_span(TrackId track, std::string_view name, std::string_view category, double start_s,
                double end_s, TraceArgs args = {});
  void add_instant(TrackId track, std::string_view name, std::string_view category,
                   double time_s, TraceArgs args = {});
  void add_counter(CounterId counter, double time_s, double value);

  // Free-form facts about the run (scenario, engine, network model); a repeated key replaces
  // the earlier value. Kept in the order first set.
  void set_metadata(std::string_view key, std::string_view value);

  void reserve(std::size_t events);

  std::string_view text(StringId id) const { return strings_[id]; }
  const std::vector<TimelineProcess>& processes() const { return processes_; }
  const std::vector<TimelineTrack>& tracks() const { return tracks_; }
  const std::vector<TimelineCounter>& counters() const { return counters_; }
  const std::vector<TimelineEvent>& events() const { return events_; }
  std::span<const TimelineArg> args(const TimelineEvent& event) const {
    return {args_.data() + event.first_arg, event.arg_count};
  }
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }

 private:
  StringId intern(std::string_view text);
  std::uint32_t process_index(std::string_view name);
  std::uint32_t append_args(TraceArgs args);

  std::deque<std::string> strings_;  // a deque, so the views keyed below stay valid
  std::unordered_map<std::string_view, StringId> string_ids_;
  std::vector<TimelineProcess> processes_;
  std::unordered_map<StringId, std::uint32_t> process_ids_;
  std::map<std::pair<std::uint32_t, StringId>, std::uint32_t> track_ids_;
  std::map<std::tuple<std::uint32_t, StringId, StringId>, std::uint32_t> counter_ids_;
  std::vector<TimelineTrack> tracks_;
  std::vector<TimelineCounter> counters_;
  std::vector<TimelineEvent> events_;
  std::vector<TimelineArg> args_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

}  // namespace kcsim

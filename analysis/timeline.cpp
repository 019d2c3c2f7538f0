#include "analysis/timeline.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace kcsim {

namespace {

void check_time(double time_s, std::string_view what, std::string_view name) {
  if (!std::isfinite(time_s) || time_s < 0 || time_s >= Timeline::max_time_s) {
    throw std::invalid_argument(fmt::format("timeline: {} '{}': time {} s is not in [0, {:g}) s",
                                            what, name, time_s, Timeline::max_time_s));
  }
}

void check_finite(double value, std::string_view what, std::string_view name) {
  if (!std::isfinite(value)) {
    throw std::invalid_argument(
        fmt::format("timeline: {} '{}': value {} is not finite", what, name, value));
  }
}

}  // namespace

StringId Timeline::intern(std::string_view text) {
  if (auto found = string_ids_.find(text); found != string_ids_.end()) return found->second;
  auto id = static_cast<StringId>(strings_.size());
  const std::string& stored = strings_.emplace_back(text);
  string_ids_.emplace(stored, id);
  return id;
}

std::uint32_t Timeline::process_index(std::string_view name) {
  StringId name_id = intern(name);
  auto [it, added] = process_ids_.try_emplace(name_id, static_cast<std::uint32_t>(processes_.size()));
  if (added) processes_.push_back({name_id});
  return it->second;
}

TrackId Timeline::track(std::string_view process, std::string_view thread) {
  std::uint32_t process_id = process_index(process);
  StringId name = intern(thread);
  auto [it, added] =
      track_ids_.try_emplace({process_id, name}, static_cast<std::uint32_t>(tracks_.size()));
  if (added) tracks_.push_back({process_id, name});
  return {it->second};
}

CounterId Timeline::counter(std::string_view process, std::string_view name,
                            std::string_view series) {
  std::uint32_t process_id = process_index(process);
  StringId name_id = intern(name);
  StringId series_id = intern(series);
  auto [it, added] = counter_ids_.try_emplace({process_id, name_id, series_id},
                                              static_cast<std::uint32_t>(counters_.size()));
  if (added) counters_.push_back({process_id, name_id, series_id});
  return {it->second};
}

std::uint32_t Timeline::append_args(TraceArgs args) {
  if (args.size() > std::numeric_limits<std::uint16_t>::max()) {
    throw std::invalid_argument("timeline: too many arguments on one event");
  }
  for (const TraceArg& arg : args) {
    if (!arg.is_text()) check_finite(arg.number(), "argument", arg.key());
  }
  auto first = static_cast<std::uint32_t>(args_.size());
  for (const TraceArg& arg : args) {
    if (arg.is_text()) {
      args_.push_back({intern(arg.key()), true, intern(arg.text()), 0.0});
    } else {
      args_.push_back({intern(arg.key()), false, 0, arg.number()});
    }
  }
  return first;
}

void Timeline::add_span(TrackId track, std::string_view name, std::string_view category,
                        double start_s, double end_s, TraceArgs args) {
  if (track.index >= tracks_.size()) throw std::invalid_argument("timeline: unknown track");
  check_time(start_s, "span", name);
  check_time(end_s, "span", name);
  if (end_s < start_s) {
    throw std::invalid_argument(fmt::format("timeline: span '{}' ends at {} s before it starts at {} s",
                                            name, end_s, start_s));
  }
  std::uint32_t first_arg = append_args(args);
  events_.push_back({start_s, end_s, track.index, intern(name), intern(category), first_arg,
                     static_cast<std::uint16_t>(args.size()), TimelineEventKind::span});
}

void Timeline::add_instant(TrackId track, std::string_view name, std::string_view category,
                           double time_s, TraceArgs args) {
  if (track.index >= tracks_.size()) throw std::invalid_argument("timeline: unknown track");
  check_time(time_s, "instant", name);
  std::uint32_t first_arg = append_args(args);
  events_.push_back({time_s, time_s, track.index, intern(name), intern(category), first_arg,
                     static_cast<std::uint16_t>(args.size()), TimelineEventKind::instant});
}

void Timeline::add_counter(CounterId counter, double time_s, double value) {
  if (counter.index >= counters_.size()) throw std::invalid_argument("timeline: unknown counter");
  std::string_view name = strings_[counters_[counter.index].name];
  check_time(time_s, "counter", name);
  check_finite(value, "counter", name);
  events_.push_back({time_s, value, counter.index, 0, 0, 0, 0, TimelineEventKind::counter});
}

void Timeline::set_metadata(std::string_view key, std::string_view value) {
  for (auto& [existing_key, existing_value] : metadata_) {
    if (existing_key == key) {
      existing_value = value;
      return;
    }
  }
  metadata_.emplace_back(key, value);
}

void Timeline::reserve(std::size_t events) { events_.reserve(events); }

}  // namespace kcsim

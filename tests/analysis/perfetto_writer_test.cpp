#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/perfetto_writer.hpp"
#include "analysis/timeline.hpp"

using Catch::Matchers::WithinAbs;
using nlohmann::json;

namespace {

// Two devices with compute and collective spans, link utilisation and device power.
kcsim::Timeline small_run() {
  kcsim::Timeline timeline;
  auto compute0 = timeline.track("device 0", "compute");
  auto collectives0 = timeline.track("device 0", "collectives");
  auto compute1 = timeline.track("device 1", "compute");
  auto link0 = timeline.counter("links", "link 0", "utilisation");
  auto power0 = timeline.counter("device 0", "power", "W");

  timeline.add_span(compute0, "forward", "compute", 0.0, 0.0125, {{"layer", 0}});
  timeline.add_span(compute1, "forward", "compute", 0.0, 0.013);
  timeline.add_span(collectives0, "all-reduce", "collective", 0.0125, 0.02,
                    {{"bytes", 4.0e8}, {"algorithm", "ring"}});
  timeline.add_counter(link0, 0.02, 0.0);
  timeline.add_counter(link0, 0.0125, 0.75);
  timeline.add_counter(link0, 0.0, 0.0);
  timeline.add_counter(power0, 0.0, 650.0);
  timeline.add_instant(compute0, "checkpoint", "io", 0.02, {{"step", 1}});
  timeline.set_metadata("scenario", "unit test");
  return timeline;
}

json parse(const kcsim::Timeline& timeline) {
  return json::parse(kcsim::to_chrome_trace_json(timeline));
}

std::vector<json> events_with_phase(const json& trace, const std::string& phase) {
  std::vector<json> found;
  for (const json& event : trace.at("traceEvents")) {
    if (event.at("ph") == phase) found.push_back(event);
  }
  return found;
}

}  // namespace

TEST_CASE("the trace is JSON in the Trace Event Format", "[analysis][perfetto]") {
  json trace = parse(small_run());
  REQUIRE(trace.at("traceEvents").is_array());
  CHECK(trace.at("displayTimeUnit") == "ms");
  CHECK(trace.at("otherData").at("scenario") == "unit test");
  CHECK(events_with_phase(trace, "X").size() == 3);
  CHECK(events_with_phase(trace, "C").size() == 4);
  CHECK(events_with_phase(trace, "i").size() == 1);
}

TEST_CASE("metadata events name every process and track", "[analysis][perfetto]") {
  json trace = parse(small_run());
  std::map<int, std::string> process_names;
  std::map<std::pair<int, int>, std::string> thread_names;
  for (const json& event : events_with_phase(trace, "M")) {
    if (event.at("name") == "process_name") {
      process_names[event.at("pid")] = event.at("args").at("name");
    } else if (event.at("name") == "thread_name") {
      thread_names[{event.at("pid"), event.at("tid")}] = event.at("args").at("name");
    }
  }
  CHECK(process_names == std::map<int, std::string>{{1, "device 0"}, {2, "device 1"}, {3, "links"}});
  CHECK(thread_names ==
        std::map<std::pair<int, int>, std::string>{
            {{1, 1}, "compute"}, {{1, 2}, "collectives"}, {{2, 3}, "compute"}});

  // Every span sits on a named thread of a named process.
  for (const json& span : events_with_phase(trace, "X")) {
    CHECK(thread_names.count({span.at("pid"), span.at("tid")}) == 1);
  }
}

TEST_CASE("a span's ts and dur are its seconds times a million", "[analysis][perfetto]") {
  json trace = parse(small_run());
  bool found = false;
  for (const json& span : events_with_phase(trace, "X")) {
    if (span.at("name") != "all-reduce") continue;
    found = true;
    CHECK_THAT(span.at("ts").get<double>(), WithinAbs(0.0125 * 1e6, 1e-3));
    CHECK_THAT(span.at("dur").get<double>(), WithinAbs((0.02 - 0.0125) * 1e6, 1e-3));
    CHECK(span.at("cat") == "collective");
    CHECK(span.at("args").at("bytes").get<double>() == 4.0e8);
    CHECK(span.at("args").at("algorithm") == "ring");
  }
  CHECK(found);
}

TEST_CASE("times are written in microseconds with three decimals", "[analysis][perfetto]") {
  kcsim::Timeline timeline;
  auto track = timeline.track("device 0", "compute");
  timeline.add_span(track, "op", "compute", 1.25e-6, 3.0);
  std::string text = kcsim::to_chrome_trace_json(timeline);
  CHECK(text.find("\"ts\":1.250,\"dur\":2999998.750") != std::string::npos);
}

TEST_CASE("counters come out in time order", "[analysis][perfetto]") {
  json trace = parse(small_run());
  std::vector<double> link_times;
  std::vector<double> link_values;
  for (const json& counter : events_with_phase(trace, "C")) {
    if (counter.at("name") != "link 0") continue;
    link_times.push_back(counter.at("ts"));
    link_values.push_back(counter.at("args").at("utilisation"));
  }
  CHECK(link_times == std::vector<double>{0.0, 12500.0, 20000.0});
  CHECK(link_values == std::vector<double>{0.0, 0.75, 0.0});
}

TEST_CASE("events are sorted by time, then process and thread", "[analysis][perfetto]") {
  json trace = parse(small_run());
  double last_ts = -1;
  for (const json& event : trace.at("traceEvents")) {
    if (event.at("ph") == "M") continue;
    double ts = event.at("ts");
    CHECK(ts >= last_ts);
    last_ts = ts;
  }
  // At t = 0: device 0 compute, device 0 power, device 1 compute, link 0.
  const json& events = trace.at("traceEvents");
  std::vector<std::string> at_zero;
  for (const json& event : events) {
    if (event.at("ph") != "M" && event.at("ts") == 0.0) at_zero.push_back(event.at("name"));
  }
  CHECK(at_zero == std::vector<std::string>{"power", "forward", "forward", "link 0"});
}

TEST_CASE("of two spans starting together on one thread the longer comes first",
          "[analysis][perfetto]") {
  kcsim::Timeline timeline;
  auto track = timeline.track("device 0", "compute");
  timeline.add_span(track, "inner", "compute", 1.0, 1.5);
  timeline.add_span(track, "outer", "compute", 1.0, 2.0);
  auto spans = events_with_phase(parse(timeline), "X");
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].at("name") == "outer");
  CHECK(spans[1].at("name") == "inner");
}

TEST_CASE("the same timeline gives the same bytes", "[analysis][perfetto]") {
  std::string first = kcsim::to_chrome_trace_json(small_run());
  std::string second = kcsim::to_chrome_trace_json(small_run());
  CHECK(first == second);

  kcsim::Timeline timeline = small_run();
  CHECK(kcsim::to_chrome_trace_json(timeline) == kcsim::to_chrome_trace_json(timeline));
}

TEST_CASE("names with quotes, control characters or bad UTF-8 still parse",
          "[analysis][perfetto]") {
  kcsim::Timeline timeline;
  auto track = timeline.track("device \"0\"\\", "tab\there");
  timeline.add_span(track, "line\nbreak \x01 \xff\xfe end", "\xea\xb0\x80", 0.0, 1.0,
                    {{"note", "caf\xc3\xa9"}});
  json trace = parse(timeline);
  auto spans = events_with_phase(trace, "X");
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].at("name") == "line\nbreak \x01 \xef\xbf\xbd\xef\xbf\xbd end");
  CHECK(spans[0].at("cat") == "\xea\xb0\x80");
  CHECK(spans[0].at("args").at("note") == "caf\xc3\xa9");
  auto metadata = events_with_phase(trace, "M");
  CHECK(metadata[0].at("args").at("name") == "device \"0\"\\");
}

TEST_CASE("an empty timeline is a valid, empty trace", "[analysis][perfetto]") {
  json trace = parse(kcsim::Timeline{});
  CHECK(trace.at("traceEvents").empty());
  CHECK(trace.at("otherData").empty());
}

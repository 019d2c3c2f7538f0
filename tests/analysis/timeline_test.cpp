#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "analysis/timeline.hpp"

using kcsim::Timeline;
using kcsim::TimelineEventKind;

TEST_CASE("naming a track twice gives the same track", "[analysis][timeline]") {
  Timeline timeline;
  auto compute = timeline.track("device 3", "compute");
  auto collectives = timeline.track("device 3", "collectives");
  auto other_device = timeline.track("device 4", "compute");
  CHECK(timeline.track("device 3", "compute").index == compute.index);
  CHECK(collectives.index != compute.index);
  CHECK(other_device.index != compute.index);
  REQUIRE(timeline.processes().size() == 2);
  CHECK(timeline.text(timeline.processes()[0].name) == "device 3");
  CHECK(timeline.tracks()[collectives.index].process == 0);
  CHECK(timeline.text(timeline.tracks()[collectives.index].name) == "collectives");
}

TEST_CASE("counters are told apart by process, name and series", "[analysis][timeline]") {
  Timeline timeline;
  auto utilisation = timeline.counter("links", "link 0", "utilisation");
  CHECK(timeline.counter("links", "link 0", "utilisation").index == utilisation.index);
  CHECK(timeline.counter("links", "link 1", "utilisation").index != utilisation.index);
  CHECK(timeline.counter("links", "link 0", "W").index != utilisation.index);
  CHECK(timeline.counter("device 0", "link 0", "utilisation").index != utilisation.index);
  CHECK(timeline.counters().size() == 4);
}

TEST_CASE("spans, instants and counters keep their times, names and arguments",
          "[analysis][timeline]") {
  Timeline timeline;
  auto track = timeline.track("device 0", "compute");
  auto power = timeline.counter("device 0", "power", "W");
  timeline.add_span(track, "forward", "compute", 1.5, 2.0, {{"layer", 3}, {"phase", "fwd"}});
  timeline.add_instant(track, "straggler", "fault", 1.75);
  timeline.add_counter(power, 1.5, 612.5);

  const auto& events = timeline.events();
  REQUIRE(events.size() == 3);
  CHECK(events[0].kind == TimelineEventKind::span);
  CHECK(events[0].start_s == 1.5);
  CHECK(events[0].end_s_or_value == 2.0);
  CHECK(timeline.text(events[0].name) == "forward");
  CHECK(timeline.text(events[0].category) == "compute");
  auto args = timeline.args(events[0]);
  REQUIRE(args.size() == 2);
  CHECK(timeline.text(args[0].key) == "layer");
  CHECK_FALSE(args[0].is_text);
  CHECK(args[0].number == 3.0);
  CHECK(args[1].is_text);
  CHECK(timeline.text(args[1].text) == "fwd");
  CHECK(events[1].kind == TimelineEventKind::instant);
  CHECK(timeline.args(events[1]).empty());
  CHECK(events[2].kind == TimelineEventKind::counter);
  CHECK(events[2].end_s_or_value == 612.5);
}

TEST_CASE("a span that ends before it starts is rejected", "[analysis][timeline]") {
  Timeline timeline;
  auto track = timeline.track("device 0", "compute");
  CHECK_THROWS_AS(timeline.add_span(track, "backward", "compute", 2.0, 1.0), std::invalid_argument);
  CHECK_NOTHROW(timeline.add_span(track, "empty", "compute", 2.0, 2.0));
  CHECK(timeline.events().size() == 1);
}

TEST_CASE("times and values that cannot be drawn are rejected", "[analysis][timeline]") {
  Timeline timeline;
  auto track = timeline.track("device 0", "compute");
  auto counter = timeline.counter("links", "link 0", "utilisation");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(timeline.add_span(track, "x", "c", -1.0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_span(track, "x", "c", 0.0, nan), std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_span(track, "x", "c", 0.0, inf), std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_span(track, "x", "c", 0.0, 1.0, {{"bytes", nan}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_instant(track, "x", "c", nan), std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_counter(counter, 0.0, inf), std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_counter(counter, nan, 0.5), std::invalid_argument);
  CHECK(timeline.events().empty());
}

TEST_CASE("an unknown track or counter is rejected", "[analysis][timeline]") {
  Timeline timeline;
  CHECK_THROWS_AS(timeline.add_span(kcsim::TrackId{0}, "x", "c", 0.0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_instant(kcsim::TrackId{5}, "x", "c", 0.0), std::invalid_argument);
  CHECK_THROWS_AS(timeline.add_counter(kcsim::CounterId{0}, 0.0, 1.0), std::invalid_argument);
}

TEST_CASE("metadata keeps the order first set and the latest value", "[analysis][timeline]") {
  Timeline timeline;
  timeline.set_metadata("scenario", "demo");
  timeline.set_metadata("engine", "event");
  timeline.set_metadata("scenario", "k-cloud");
  REQUIRE(timeline.metadata().size() == 2);
  CHECK(timeline.metadata()[0].first == "scenario");
  CHECK(timeline.metadata()[0].second == "k-cloud");
  CHECK(timeline.metadata()[1].first == "engine");
}

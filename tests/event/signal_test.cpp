#include <optional>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "sim/engines/event/observers/power_series_observer.hpp"
#include "sim/engines/event/platform/signal.hpp"
#include "sim/engines/event/platform/span_signal.hpp"

using kcsim::event::Signal;

TEST_CASE("a signal calls its callbacks in order while their connections live", "[event][signal]") {
  Signal<int> signal;
  std::vector<int> heard;
  CHECK(signal.empty());
  {
    auto first = signal.connect([&](const int& v) { heard.push_back(10 + v); });
    auto second = signal.connect([&](const int& v) { heard.push_back(20 + v); });
    signal.emit(1);
    CHECK(heard == std::vector<int>{11, 21});
    first.disconnect();
    CHECK_FALSE(first.connected());
    signal.emit(2);
    CHECK(heard == std::vector<int>{11, 21, 22});
  }
  // Both connections are gone: nobody hears the signal.
  CHECK(signal.empty());
  signal.emit(3);
  CHECK(heard == std::vector<int>{11, 21, 22});
}

TEST_CASE("a moved connection keeps its callback; the one it left owns nothing",
          "[event][signal]") {
  Signal<int> signal;
  int calls = 0;
  Signal<int>::Connection kept;
  {
    auto made = signal.connect([&](const int&) { ++calls; });
    kept = std::move(made);
    CHECK_FALSE(made.connected());  // the moved-from connection
  }
  CHECK(kept.connected());
  signal.emit(0);
  CHECK(calls == 1);
  // Assigning over a live connection ends it.
  kept = signal.connect([&](const int&) { calls += 100; });
  signal.emit(0);
  CHECK(calls == 101);
  kept.disconnect();
  CHECK(signal.empty());
}

TEST_CASE("an observer that goes away stops listening to the engine's spans", "[event][signal]") {
  auto& spans = kcsim::event::span_signal();
  REQUIRE(spans.empty());
  {
    std::optional<kcsim::event::PowerSeriesObserver> observer;
    observer.emplace(100, 500);
    observer->attach();
    CHECK_FALSE(spans.empty());
    spans.emit({0, "compute", "forward", 0.0, 1.0});
    auto series = observer->series(1.0, 1, 1.0, 0, 100);
    CHECK(series.columns[1].front() == 500);
    observer.reset();
    CHECK(spans.empty());
  }
  // What would have been a call into a destroyed observer is nothing now.
  spans.emit({0, "compute", "forward", 1.0, 2.0});
}

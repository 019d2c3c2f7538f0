#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/perfetto_writer.hpp"
#include "analysis/timeline.hpp"
#include "configs/loader/errors.hpp"
#include "scratch_folder.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::ScratchFolder;
using kcsim::test::read_file;

namespace {

kcsim::Timeline one_span() {
  kcsim::Timeline timeline;
  timeline.add_span(timeline.track("device 0", "compute"), "forward", "compute", 0.0, 1.0);
  return timeline;
}

}  // namespace

TEST_CASE("a trace file holds the same bytes as the string and no temporary remains",
          "[analysis][perfetto]") {
  ScratchFolder folder;
  kcsim::Timeline timeline = one_span();
  auto path = folder.path() / "trace.json";
  kcsim::write_chrome_trace(timeline, path);
  CHECK(read_file(path) == kcsim::to_chrome_trace_json(timeline));
  CHECK(folder.entries() == std::vector<std::string>{"trace.json"});
}

TEST_CASE("a trace into a missing folder throws InputError and leaves nothing",
          "[analysis][perfetto]") {
  ScratchFolder folder;
  auto missing_folder = folder.path() / "missing";
  auto path = missing_folder / "trace.json";
  try {
    kcsim::write_chrome_trace(one_span(), path);
    FAIL("expected an InputError");
  } catch (const kcsim::InputError& e) {
    CHECK_THAT(e.what(), ContainsSubstring(path.string()));
  }
  CHECK_FALSE(std::filesystem::exists(missing_folder));
  CHECK(folder.entries().empty());
}

TEST_CASE("a trace of 100k spans writes and parses", "[analysis][perfetto][size]") {
  constexpr int devices = 16;
  constexpr int spans_per_device = 100'000 / devices;
  kcsim::Timeline timeline;
  timeline.reserve(100'000 + 2 * devices);
  std::vector<kcsim::TrackId> tracks;
  std::vector<kcsim::CounterId> links;
  for (int d = 0; d < devices; ++d) {
    tracks.push_back(timeline.track("device " + std::to_string(d), "compute"));
    links.push_back(timeline.counter("links", "link " + std::to_string(d), "utilisation"));
  }
  for (int d = 0; d < devices; ++d) {
    for (int i = 0; i < spans_per_device; ++i) {
      double start_s = i * 1e-3;
      timeline.add_span(tracks[d], "layer", "compute", start_s, start_s + 0.8e-3, {{"index", i}});
    }
    timeline.add_counter(links[d], 0.0, 0.5);
    timeline.add_counter(links[d], spans_per_device * 1e-3, 0.0);
  }

  ScratchFolder folder;
  auto path = folder.path() / "big.json";
  kcsim::write_chrome_trace(timeline, path);
  auto trace = nlohmann::json::parse(read_file(path));
  std::size_t spans = 0;
  for (const auto& event : trace.at("traceEvents")) spans += event.at("ph") == "X";
  CHECK(spans == static_cast<std::size_t>(devices * spans_per_device));
  CHECK(folder.entries() == std::vector<std::string>{"big.json"});
}

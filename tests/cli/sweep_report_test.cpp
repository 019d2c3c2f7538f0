// What a sweep's results look like outside kcsim: the HTML report rendered by a real browser
// (headless Chromium; its screenshot is kept under the build tree as build/test-artifacts/
// sweep-report.png), and the Python example reading the HDF5 file into pandas, finding the
// frontier `kcsim best` finds.
#include <sys/wait.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/analysis/scratch_folder.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::read_file;
using kcsim::test::run_kcsim;
using kcsim::test::ScratchFolder;

namespace {

const std::string kSweep = KCSIM_SOURCE_DIR "/tests/data/sweeps/small-serving.textproto";

int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::filesystem::path artifacts() {
  auto dir = std::filesystem::path(KCSIM_BINARY).parent_path().parent_path() / "test-artifacts";
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("the sweep report renders its charts in headless Chromium", "[sweep][report]") {
  // CI installs chromium (scripts/install-deps.sh): its absence is a failure, not a skip.
  REQUIRE(shell("command -v chromium > /dev/null") == 0);
  ScratchFolder folder;
  auto results = folder.path() / "serving.h5";
  REQUIRE(run_kcsim("sweep " + kSweep + " --out '" + results.string() + "' --quiet").exit_code ==
          0);
  auto html = artifacts() / "sweep-report.html";
  auto report = run_kcsim("report '" + results.string() + "' -o '" + html.string() + "'");
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  std::string page = read_file(html);
  // Self-contained: nothing fetched, no scripts.
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("http") == std::string::npos);
  CHECK(page.find("src=") == std::string::npos);

  // A copy with a probe that writes each chart's laid-out size into the DOM Chromium dumps.
  auto probed = folder.path() / "probed.html";
  std::string probe =
      "<script>for (const s of document.querySelectorAll('svg.chart')) { const b = "
      "s.getBoundingClientRect(); s.setAttribute('data-box', Math.round(b.width) + 'x' + "
      "Math.round(b.height)); }"
      "for (const id of ['frontier-line']) { const e = document.getElementById(id); "
      "const b = e.getBBox(); e.setAttribute('data-box', Math.round(b.width) + 'x' + "
      "Math.round(b.height)); }</script></body>";
  std::string copy = page;
  copy.replace(copy.rfind("</body>"), 7, probe);
  std::ofstream(probed) << copy;
  std::string browser = "chromium --headless --no-sandbox --disable-gpu --user-data-dir='" +
                        (folder.path() / "profile").string() + "' ";
  auto dom = folder.path() / "dom.html";
  REQUIRE(shell(browser + "--dump-dom 'file://" + probed.string() + "' > '" + dom.string() +
                "' 2>/dev/null") == 0);
  std::string rendered = read_file(dom);
  std::regex box(R"re(id="([a-z-]+)"[^>]*data-box="(\d+)x(\d+)")re");
  std::map<std::string, std::pair<int, int>> sizes;
  for (std::sregex_iterator it(rendered.begin(), rendered.end(), box), end; it != end; ++it) {
    sizes[(*it)[1]] = {std::stoi((*it)[2]), std::stoi((*it)[3])};
  }
  for (const char* id : {"frontier-chart", "chip-chart-x", "chip-chart-y", "frontier-line"}) {
    INFO(id);
    REQUIRE(sizes.count(id));
    CHECK(sizes[id].first > 0);
    CHECK(sizes[id].second > 0);
  }
  // Points drawn: one circle per feasible row, and the chip bars.
  CHECK(std::count(rendered.begin(), rendered.end(), '\n') > 0);
  CHECK_THAT(rendered, ContainsSubstring("class=\"point\""));
  CHECK_THAT(rendered, ContainsSubstring("class=\"bar\""));

  auto shot = artifacts() / "sweep-report.png";
  std::filesystem::remove(shot);
  REQUIRE(shell(browser + "--window-size=1280,1400 --screenshot='" + shot.string() + "' 'file://" +
                html.string() + "' > /dev/null 2>&1") == 0);
  REQUIRE(std::filesystem::exists(shot));
  CHECK(std::filesystem::file_size(shot) > 20000);  // a page of charts, not a blank one
}

TEST_CASE("the Python example loads the sweep into pandas and finds kcsim's frontier",
          "[sweep][python]") {
#ifndef KCSIM_PYTHON_PATH
  SKIP("kcsim was built without its Python module (KCSIM_PYTHON off)");
#else
  ScratchFolder folder;
  auto results = folder.path() / "serving.h5";
  REQUIRE(run_kcsim("sweep " + kSweep + " --out '" + results.string() + "' --quiet").exit_code ==
          0);
  auto png = folder.path() / "frontier.png";
  auto log = folder.path() / "python.log";
  int code = shell("PYTHONPATH=" KCSIM_PYTHON_PATH " /usr/bin/python3 " KCSIM_SOURCE_DIR
                   "/analysis/examples/plot_frontier.py '" +
                   results.string() +
                   "' --x serving.ttft_s:min --y serving.throughput_output_tokens_per_s:max -o '" +
                   png.string() + "' > '" + log.string() + "' 2>&1");
  std::string said = read_file(log);
  INFO(said);
  REQUIRE(code == 0);
  CHECK(std::filesystem::file_size(png) > 10000);

  auto best = run_kcsim(
      "best '" + results.string() +
      "' --minimize ttft_s --pareto serving.ttft_s:min,throughput_output_tokens_per_s:max --json");
  REQUIRE(best.exit_code == 0);
  std::string points;
  auto answer = nlohmann::json::parse(best.out);
  for (const auto& row : answer["pareto"]["rows"]) {
    points += (points.empty() ? "" : " ") + std::to_string(row["point"].get<int>());
  }
  REQUIRE(answer["pareto"]["rows"].size() >= 3);
  CHECK_THAT(said, ContainsSubstring("frontier points: " + points + "\n"));
#endif
}

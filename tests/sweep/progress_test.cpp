// The progress of a sweep written to a file or pipe: plain lines, each with the points done,
// the rate and the time left.
#include <cstdio>
#include <regex>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "sim/sweep/progress.hpp"

namespace {

std::string contents(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[512];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  return text;
}

}  // namespace

TEST_CASE("progress off a terminal is plain lines with rate and ETA", "[sweep][progress]") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file);
  {
    kcsim::sweep::Progress progress(200, 50, true, file, 0);
    progress.update(100);
    progress.update(150);
    progress.finish(200);
  }
  std::string text = contents(file);
  std::fclose(file);
  INFO(text);
  CHECK(text.find('\r') == std::string::npos);  // no redraw in place
  CHECK(text.find("\x1b[") == std::string::npos);
  std::regex line(R"(sweep: (\d+)/200 points \(([\d.]+) %\), (\d+) points/s, ETA \d+:\d\d:\d\d)");
  auto first = std::sregex_iterator(text.begin(), text.end(), line);
  REQUIRE(std::distance(first, std::sregex_iterator()) == 2);
  CHECK((*first)[1] == "100");
  CHECK((*first)[2] == "50.0");
  CHECK(std::regex_search(
      text,
      std::regex(R"(sweep: 200/200 points \(100\.0 %\), \d+ points/s, done in [\d.]+ s\n$)")));
}

TEST_CASE("progress that is turned off writes nothing", "[sweep][progress]") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file);
  {
    kcsim::sweep::Progress progress(10, 0, false, file, 0);
    progress.update(5);
    progress.finish(10);
  }
  CHECK(contents(file).empty());
  std::fclose(file);
}

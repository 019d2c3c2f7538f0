// Request streams: seeded draws with the right moments, arrivals, and trace files.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "tests/analysis/scratch_folder.hpp"
#include "workloads/serving/request_stream.hpp"
#include "workloads/serving/request_trace.hpp"

using namespace kcsim::serving;
using Catch::Approx;
using Catch::Matchers::ContainsSubstring;

namespace {

struct Moments {
  double mean = 0, cv = 0;
};

template <class Draw>
Moments moments(int n, Draw draw) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = draw();
    sum += x;
    sum2 += x * x;
  }
  double mean = sum / n;
  return {mean, std::sqrt(sum2 / n - mean * mean) / mean};
}

}  // namespace

TEST_CASE("the random source is seeded and its draws have the requested moments",
          "[serving][random]") {
  Random a(7), b(7), c(8);
  double x = a.uniform();
  CHECK(x == b.uniform());
  CHECK(x != c.uniform());
  Random r(1);
  auto expo = moments(200000, [&] { return r.exponential(2.0); });
  CHECK(expo.mean == Approx(2.0).epsilon(0.01));
  CHECK(expo.cv == Approx(1.0).epsilon(0.01));
  for (double shape : {0.25, 1.0, 4.0}) {
    auto g = moments(200000, [&] { return r.gamma(shape, 3.0); });
    INFO("shape " << shape);
    CHECK(g.mean == Approx(shape * 3.0).epsilon(0.015));
    CHECK(g.cv == Approx(1.0 / std::sqrt(shape)).epsilon(0.02));
  }
  auto ln = moments(200000, [&] { return r.lognormal(1.0, 0.5); });
  CHECK(ln.mean == Approx(std::exp(1.0 + 0.125)).epsilon(0.01));
  for (int i = 0; i < 1000; ++i) {
    auto k = r.uniform_int(3, 5);
    REQUIRE((k >= 3 && k <= 5));
  }
}

TEST_CASE("Poisson and gamma arrivals keep the rate; gamma gaps have the requested cv",
          "[serving][random]") {
  Lengths fixed;
  fixed.fixed = 100;
  Arrivals poisson{Arrivals::Kind::Poisson, 5.0, 1.0};
  auto stream = synthetic_requests(poisson, fixed, fixed, std::nullopt, 2000.0, 3);
  CHECK(static_cast<double>(stream.size()) == Approx(10000).epsilon(0.03));
  CHECK(stream.back().arrival_s <= 2000.0);
  for (size_t i = 0; i < stream.size(); ++i) REQUIRE(stream[i].id == static_cast<int64_t>(i));

  Arrivals bursty{Arrivals::Kind::Gamma, 5.0, 3.0};
  auto gamma = synthetic_requests(bursty, fixed, fixed, 50000, std::nullopt, 3);
  REQUIRE(gamma.size() == 50000);
  std::vector<double> gaps;
  for (size_t i = 1; i < gamma.size(); ++i)
    gaps.push_back(gamma[i].arrival_s - gamma[i - 1].arrival_s);
  size_t i = 0;
  auto m = moments(static_cast<int>(gaps.size()), [&] { return gaps[i++]; });
  CHECK(m.mean == Approx(0.2).epsilon(0.04));
  CHECK(m.cv == Approx(3.0).epsilon(0.05));

  // Same seed, same stream; the lengths have their own generator, so changing them keeps the
  // arrivals.
  Lengths uniform{Lengths::Kind::Uniform, 0, 10, 20};
  auto again = synthetic_requests(poisson, uniform, fixed, 100, std::nullopt, 3);
  for (size_t k = 0; k < again.size(); ++k) {
    REQUIRE(again[k].arrival_s == stream[k].arrival_s);
    REQUIRE((again[k].input_tokens >= 10 && again[k].input_tokens <= 20));
  }
}

TEST_CASE("the Azure-layout sample trace reads with no options, rebased to its first row",
          "[serving][trace]") {
  auto trace = read_request_trace(KCSIM_SOURCE_DIR "/tests/data/serving/azure-layout-sample.csv");
  REQUIRE(trace.size() == 200);
  CHECK(trace[0].arrival_s == 0);
  CHECK(trace[0].input_tokens == 236);
  CHECK(trace[0].output_tokens == 99);
  // 18:15:47.0278570 - 18:15:46.9625370
  CHECK(trace[1].arrival_s == Approx(0.06532).margin(1e-6));
  for (size_t i = 1; i < trace.size(); ++i) REQUIRE(trace[i].arrival_s >= trace[i - 1].arrival_s);
  CHECK(parse_datetime_s("1970-01-02 00:00:01.5") == 86401.5);
  CHECK(parse_datetime_s("2023-11-16T18:15:46") == 1700158546.0);
  CHECK(std::isnan(parse_datetime_s("2023-13-16 18:15:46")));
}

TEST_CASE("trace files with seconds, other columns and bad rows", "[serving][trace]") {
  kcsim::test::ScratchFolder folder;
  auto write = [&](const std::string& name, const std::string& text) {
    auto path = folder.path() / name;
    std::ofstream(path) << text;
    return path.string();
  };
  auto seconds = write("s.csv", "t,in,out\n10.5,100,5\n11.0,200,0\n");
  auto trace = read_request_trace(seconds, {"t", "in", "out"});
  REQUIRE(trace.size() == 2);
  CHECK(trace[1].arrival_s == 0.5);
  CHECK(trace[1].output_tokens == 1);  // 0 generated still yields the first token

  auto bad = write("bad.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n1,10,5\n2,ten,5\n");
  try {
    read_request_trace(bad);
    FAIL("no error");
  } catch (const kcsim::InputError& e) {
    CHECK_THAT(e.what(), ContainsSubstring("bad.csv:3:3: ContextTokens"));
  }
  auto backwards = write("back.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n5,10,5\n4,10,5\n");
  CHECK_THROWS_WITH(read_request_trace(backwards), ContainsSubstring("back.csv:3:1: TIMESTAMP"));
  auto missing = write("missing.csv", "time,ContextTokens,GeneratedTokens\n1,10,5\n");
  CHECK_THROWS_WITH(read_request_trace(missing),
                    ContainsSubstring("missing.csv:1:1: header: no column \"TIMESTAMP\""));
  auto short_row = write("short.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n1,10\n");
  CHECK_THROWS_WITH(read_request_trace(short_row), ContainsSubstring("short.csv:2:"));
  CHECK_THROWS_AS(read_request_trace((folder.path() / "none.csv").string()), kcsim::InputError);
}

// Sweep files: how axes expand into points (product, zip, ranges), how a point's values land in
// its scenario, and the errors that name the file, line and axis.
#include <set>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::InputError;
using kcsim::sweep::load_sweep;
using kcsim::test::write_temp_file;

namespace {

const char* kBase = R"(base {
  cluster_names: "dgx-h100"
  training { model: "llama2-7b" global_batch: 64 seq_len: 2048 }
}
)";

kcsim::sweep::SweepPlan plan_of(const std::string& name, const std::string& axes) {
  return load_sweep(write_temp_file(name, std::string(kBase) + axes));
}

std::string error_of(const std::string& name, const std::string& axes) {
  try {
    plan_of(name, axes);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("axes combine as a product, the first varying slowest", "[sweep]") {
  auto plan = plan_of("product.textproto", R"(
axes { field: "training.plan.tp" values: "1" values: "2" values: "4" }
axes { field: "training.micro_batch" values: "1" values: "2" }
axes { field: "training.plan.recompute" values: "NONE" values: "SELECTIVE" values: "FULL" values: "SELECTIVE" }
)");
  REQUIRE(plan.points == 3 * 2 * 4);
  // Point 0 is every first value; the last axis moves fastest; the last point is every last.
  auto first = plan.scenario_of(0);
  CHECK(first.training().plan().tp() == 1);
  CHECK(first.training().micro_batch() == 1);
  CHECK(first.training().plan().recompute() == kcsim::config::NONE);
  auto next = plan.scenario_of(1);
  CHECK(next.training().plan().recompute() == kcsim::config::SELECTIVE);
  CHECK(next.training().plan().tp() == 1);
  auto p = plan.scenario_of(4 * 2 + 4 + 2);  // tp index 1, micro-batch index 1, recompute 2
  CHECK(p.training().plan().tp() == 2);
  CHECK(p.training().micro_batch() == 2);
  CHECK(p.training().plan().recompute() == kcsim::config::FULL);
  auto last = plan.scenario_of(plan.points - 1);
  CHECK(last.training().plan().tp() == 4);
  CHECK(last.training().micro_batch() == 2);
  // The base's other fields stay.
  CHECK(last.training().global_batch() == 64);
  CHECK(last.cluster_names(0) == "dgx-h100");
  // Every combination appears once.
  std::set<std::tuple<int, long, int>> seen;
  for (size_t i = 0; i < plan.points; ++i) {
    auto s = plan.scenario_of(i);
    seen.emplace(s.training().plan().tp(), s.training().micro_batch(), i % 4);
  }
  CHECK(seen.size() == plan.points);
}

TEST_CASE("zipped axes advance together and count once", "[sweep]") {
  auto plan = plan_of("zip.textproto", R"(
axes { field: "training.plan.tp" values: "1" values: "2" values: "4" zip: "shape" }
axes { field: "training.micro_batch" values: "1" values: "2" }
axes { field: "training.plan.pp" values: "8" values: "4" values: "2" zip: "shape" }
)");
  REQUIRE(plan.points == 3 * 2);
  for (size_t i = 0; i < plan.points; ++i) {
    auto s = plan.scenario_of(i);
    CHECK(s.training().plan().tp() * s.training().plan().pp() == 8);
  }
  CHECK(plan.scenario_of(5).training().plan().tp() == 4);
  CHECK(plan.scenario_of(5).training().micro_batch() == 2);
}

TEST_CASE("ranges include both ends, by step or by factor", "[sweep]") {
  using kcsim::sweep::range_values;
  CHECK(range_values(1, 128, 0, 2) ==
        std::vector<std::string>{"1", "2", "4", "8", "16", "32", "64", "128"});
  CHECK(range_values(0.5, 1.5, 0.25, 0) ==
        std::vector<std::string>{"0.5", "0.75", "1", "1.25", "1.5"});
  CHECK(range_values(0, 1, 0.1, 0).size() == 11);  // rounding does not lose the end
  CHECK(range_values(10, 1, -3, 0) == std::vector<std::string>{"10", "7", "4", "1"});
  CHECK_THROWS(range_values(1, 10, -1, 0));
  CHECK_THROWS(range_values(1, 10, 1, 2));
  CHECK_THROWS(range_values(0, 10, 0, 2));
  auto plan =
      plan_of("range.textproto",
              R"(axes { field: "training.global_batch" range { start: 64 stop: 512 factor: 2 } })");
  REQUIRE(plan.points == 4);
  CHECK(plan.scenario_of(3).training().global_batch() == 512);
}

TEST_CASE("indexed and repeated fields take their values", "[sweep]") {
  auto plan = load_sweep(write_temp_file("indexed.textproto", R"(
base {
  clusters { name: "a" nodes: 1 node { chip: "h100-sxm" devices_per_node: 8 } }
  training { model: "llama2-7b" global_batch: 64 }
}
axes { field: "clusters[0].nodes" values: "2" values: "4" }
axes { field: "clusters[0].node.chip" values: "a100-80g" }
)"));
  auto s = plan.scenario_of(1);
  CHECK(s.clusters_size() == 1);
  CHECK(s.clusters(0).nodes() == 4);
  CHECK(s.clusters(0).node().chip() == "a100-80g");
  CHECK(s.clusters(0).node().devices_per_node() == 8);
  auto named =
      plan_of("names.textproto",
              R"(axes { field: "cluster_names" values: "dgx-a100" values: "rngd-server" })");
  CHECK(named.scenario_of(1).cluster_names_size() == 1);
  CHECK(named.scenario_of(1).cluster_names(0) == "rngd-server");
}

TEST_CASE("sweep errors name the file, the line and the axis", "[sweep][errors]") {
  auto unknown =
      error_of("unknown.textproto", "axes { field: \"training.plan.tpp\" values: \"1\" }\n");
  CHECK_THAT(unknown, ContainsSubstring("unknown.textproto:5:"));
  CHECK_THAT(unknown, ContainsSubstring("axes[0].field"));
  CHECK_THAT(unknown, ContainsSubstring("no field \"tpp\""));
  CHECK_THAT(unknown, ContainsSubstring("tp, pp, dp"));  // the fields that exist there

  auto bad_value = error_of("value.textproto", R"(axes { field: "training.plan.tp" values: "1" }
axes { field: "training.micro_batch"
  values: "2"
  values: "two" }
)");
  CHECK_THAT(bad_value, ContainsSubstring("value.textproto:8:"));
  CHECK_THAT(bad_value, ContainsSubstring("axes[1]"));
  CHECK_THAT(bad_value, ContainsSubstring("\"two\" is not a whole number"));

  CHECK_THAT(error_of("fraction.textproto", R"(axes { field: "training.plan.tp" values: "1.5" })"),
             ContainsSubstring("not a whole number"));
  CHECK_THAT(
      error_of("enum.textproto", R"(axes { field: "training.plan.recompute" values: "SOME" })"),
      ContainsSubstring("NONE, SELECTIVE, FULL"));
  CHECK_THAT(error_of("message.textproto", R"(axes { field: "training.plan" values: "1" })"),
             ContainsSubstring("plan is a message"));
  CHECK_THAT(error_of("index.textproto", R"(axes { field: "training[0].seq_len" values: "1" })"),
             ContainsSubstring("training is not repeated"));
  CHECK_THAT(error_of("noindex.textproto", R"(axes { field: "clusters.nodes" values: "1" })"),
             ContainsSubstring("clusters[0]"));
  CHECK_THAT(error_of("past.textproto", R"(axes { field: "clusters[3].nodes" values: "1" })"),
             ContainsSubstring("more than one past the end"));
  CHECK_THAT(error_of("zip.textproto", R"(axes { field: "training.plan.tp" values: "1" zip: "z" }
axes { field: "training.plan.pp" values: "1" values: "2" zip: "z" })"),
             ContainsSubstring("zipped axes need the same number"));
  CHECK_THAT(error_of("twice.textproto", R"(axes { field: "training.plan.tp" values: "1" }
axes { field: "training.plan.tp" values: "2" })"),
             ContainsSubstring("already axes[0]"));
  CHECK_THAT(error_of("empty.textproto", R"(axes { field: "training.plan.tp" })"),
             ContainsSubstring("no values"));
  CHECK_THAT(
      error_of(
          "both.textproto",
          R"(axes { field: "training.plan.tp" values: "1" range { start: 1 stop: 2 step: 1 } })"),
      ContainsSubstring("values or a range, not both"));
}

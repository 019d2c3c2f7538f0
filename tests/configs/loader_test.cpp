#include <filesystem>
#include <fstream>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/catalog.hpp"
#include "configs/loader/dtype.hpp"
#include "configs/loader/text_loader.hpp"
#include "scenario.pb.h"

using Catch::Matchers::ContainsSubstring;
using kcsim::config::LoadedFile;

namespace {

std::string error_of(const std::string& text, const std::string& name = "bad.textproto") {
  kcsim::config::Scenario scenario;
  try {
    LoadedFile::parse_text(text, name, &scenario);
  } catch (const kcsim::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a malformed textproto names file, line, column and field", "[configs]") {
  std::string text = "name: \"x\"\nclusters {\n  nodes: 2\n  nodez: 3\n}\n";
  std::string error = error_of(text);
  CHECK_THAT(error, ContainsSubstring("bad.textproto:4:3"));
  CHECK_THAT(error, ContainsSubstring("nodez"));
}

TEST_CASE("a value of the wrong type is located", "[configs]") {
  std::string error = error_of("it_power_budget_kw: \"lots\"\n");
  CHECK_THAT(error, ContainsSubstring("bad.textproto:1:"));
  CHECK_THAT(error, ContainsSubstring("it_power_budget_kw"));
}

TEST_CASE("JSON scenarios are accepted and their errors name the file", "[configs]") {
  kcsim::config::Scenario scenario;
  LoadedFile::parse_text(R"({"name": "j", "it_power_budget_kw": 10})", "s.json", &scenario);
  CHECK(scenario.name() == "j");
  CHECK(scenario.it_power_budget_kw() == 10);
  CHECK_THAT(error_of(R"({"name": )", "s.json"), ContainsSubstring("s.json"));
}

TEST_CASE("locate finds nested and repeated fields", "[configs]") {
  kcsim::config::Scenario scenario;
  std::string text =
      "name: \"x\"\nclusters {\n  name: \"a\"\n}\nclusters {\n  node {\n    chip: \"h100-sxm\"\n  "
      "}\n}\n";
  auto file = LoadedFile::parse_text(text, "s.textproto", &scenario);
  auto origin = file.locate("clusters[1].node.chip");
  CHECK(origin.line == 7);
  CHECK(origin.column == 5);
  CHECK(file.locate("clusters[0].name").line == 3);
  // A field that was not written points at the closest enclosing one.
  CHECK(file.locate("clusters[1].nodes").line == 5);
}

TEST_CASE("an unknown catalog name lists the entries that exist", "[configs]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  try {
    catalog.chip("h1000", kcsim::Origin{"scenario.textproto", 3, 9});
    FAIL("no error");
  } catch (const kcsim::InputError& e) {
    std::string error = e.what();
    CHECK_THAT(error, ContainsSubstring("scenario.textproto:3:9"));
    CHECK_THAT(error, ContainsSubstring("h1000"));
    CHECK_THAT(error, ContainsSubstring("h100-sxm"));
    CHECK_THAT(error, ContainsSubstring("rngd"));
  }
}

TEST_CASE("chip overrides replace fields and peaks of the same dtype", "[configs]") {
  kcsim::config::Chip base, overrides;
  base.set_name("c");
  base.mutable_power()->set_tdp_w(700);
  auto* bf16 = base.add_peak();
  bf16->set_dtype(kcsim::config::BF16);
  bf16->set_tflops(989);
  auto* fp8 = base.add_peak();
  fp8->set_dtype(kcsim::config::FP8);
  fp8->set_tflops(1979);
  overrides.mutable_power()->set_tdp_w(500);
  auto* slower = overrides.add_peak();
  slower->set_dtype(kcsim::config::BF16);
  slower->set_tflops(700);

  auto merged = kcsim::config::merge_chip(base, overrides);
  CHECK(merged.power().tdp_w() == 500);
  REQUIRE(merged.peak_size() == 2);
  CHECK(merged.peak(0).tflops() == 700);
  CHECK(merged.peak(1).tflops() == 1979);
}

TEST_CASE("model overrides that change the shape drop the published size", "[configs]") {
  kcsim::config::Model base, overrides;
  base.set_layers(32);
  base.set_published_params_b(7);
  overrides.set_layers(16);
  auto merged = kcsim::config::merge_model(base, overrides);
  CHECK(merged.layers() == 16);
  CHECK_FALSE(merged.has_published_params_b());
}

TEST_CASE("dtype names round-trip and have sizes", "[configs]") {
  CHECK(kcsim::parse_dtype("BF16") == kcsim::config::BF16);
  CHECK(kcsim::parse_dtype("fp8") == kcsim::config::FP8);
  CHECK_FALSE(kcsim::parse_dtype("fp12").has_value());
  CHECK(kcsim::dtype_name(kcsim::config::INT4) == "int4");
  CHECK(kcsim::dtype_bytes(kcsim::config::INT4) == 0.5);
  CHECK(kcsim::dtype_bytes(kcsim::config::FP32) == 4);
}

TEST_CASE("a chip variant reads its base chip first and its own fields over it",
          "[configs][catalog]") {
  kcsim::config::Catalog catalog(KCSIM_SOURCE_DIR "/configs");
  auto base = catalog.chip("a100-80g");
  auto pcie = catalog.chip("a100-pcie-80g");
  CHECK(pcie.name() == "a100-pcie-80g");
  CHECK_FALSE(pcie.has_base());
  CHECK(pcie.power().tdp_w() == 300);
  CHECK(pcie.memory().bandwidth_gb_per_s() == 1935);
  // The silicon's figures carry over.
  CHECK(pcie.power().matrix_w() == base.power().matrix_w());
  CHECK(pcie.power().dvfs_size() == base.power().dvfs_size());
  CHECK(pcie.peak_size() == base.peak_size());
  // Two levels: a100-pcie-40g -> a100-40g -> a100-80g.
  auto pcie40 = catalog.chip("a100-pcie-40g");
  CHECK(pcie40.memory().capacity_gib() == 40);
  CHECK(pcie40.power().tdp_w() == 250);
  // A figure tried in place of the base's reaches its variants.
  auto tried = base;
  tried.mutable_power()->set_matrix_w(1);
  CHECK(catalog.with_chip("a100-80g", tried).chip("a100-pcie-80g").power().matrix_w() == 1);
}

TEST_CASE("a chip whose bases loop is refused", "[configs][catalog]") {
  auto folder = std::filesystem::temp_directory_path() / "kcsim-base-loop";
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder / "chips");
  std::ofstream(folder / "chips" / "a.textproto") << "name: \"a\"\nbase: \"b\"\n";
  std::ofstream(folder / "chips" / "b.textproto") << "name: \"b\"\nbase: \"a\"\n";
  kcsim::config::Catalog catalog(folder);
  CHECK_THROWS_WITH(catalog.chip("a"), Catch::Matchers::ContainsSubstring("loops"));
  std::filesystem::remove_all(folder);
}

// kcsim calibrate power: the fit recovers figures it was not given from measurements made with
// them, writes them into a chip file without disturbing the rest, and reads a user's CSV with
// errors that name file, line and column.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <nlohmann/json.hpp>
#include "configs/loader/catalog.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/jobs/jobs.hpp"
#include "sim/jobs/power_calibration.hpp"
#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

config::Catalog source_catalog() { return config::Catalog(KCSIM_SOURCE_DIR "/configs"); }

// What the catalog's A100 says for a decode and a prefill power and a capped time, written as a
// user's measurement CSV.
std::string measurements_from(const config::Catalog& catalog) {
  auto cluster = resolve_cluster(catalog.cluster("dgx-a100"), catalog);
  auto run = [&](int batch, int64_t prompt, double cap) {
    config::ServingJob job;
    job.set_model("llama2-13b");
    job.set_dtype(config::FP16);
    job.set_tp(1);
    job.set_replicas(1);
    job.set_batch_size(batch);
    job.set_prompt_tokens(prompt);
    job.set_output_tokens(64);
    job.set_device_power_cap_w(cap);
    return run_serving_job(job, cluster, catalog);
  };
  std::ostringstream csv;
  csv << "name,workload,model,cluster,tp,batch,prompt_tokens,output_tokens,dtype,cap_w,"
         "measured_time_s,measured_power_w\n";
  for (int batch : {1, 16, 64}) {
    auto r = run(batch, 512, 0);
    csv << "decode-" << batch << ",decode,llama2-13b,dgx-a100,1," << batch << ",512,64,fp16,0,"
        << r.tpot_s << "," << r.decode_device_power_w << "\n";
  }
  for (double cap : {0.0, 300.0, 250.0}) {
    auto r = run(4, 2048, cap);
    csv << "prefill-" << cap << ",prefill,llama2-13b,dgx-a100,1,4,2048,64,fp16," << cap << ","
        << r.ttft_s << "," << r.prefill_device_power_w << "\n";
  }
  return csv.str();
}

}  // namespace

TEST_CASE("the fit recovers a chip's figures from measurements made with them",
          "[calibration][power]") {
  auto catalog = source_catalog();
  auto csv = test::write_temp_file("measured.csv", measurements_from(catalog));
  auto cases = measurement_cases(csv, catalog);
  CHECK(cases.size() == 12);  // a time and a power case per row
  // Start the fit from wrong figures: the catalog's A100 with its matrix units and on-chip path
  // 30 % off.
  config::Chip truth = catalog.chip("a100-80g");
  config::Chip wrong = truth;
  wrong.mutable_power()->set_matrix_w(truth.power().matrix_w() * 1.3);
  wrong.mutable_power()->set_onchip_pj_per_bit(truth.power().onchip_pj_per_bit() * 0.7);
  auto start = catalog.with_chip("a100-80g", wrong);
  PowerFitOptions options;
  options.fields = {"matrix_w", "onchip_pj_per_bit"};
  options.max_evaluations = 400;
  PowerFitResult fit = fit_chip_power(start, "a100-80g", cases, options);
  CHECK(fit.objective_after < 0.01 * fit.objective_before);
  CHECK_THAT(fit.after.at("matrix_w"), WithinRel(truth.power().matrix_w(), 0.03));
  CHECK_THAT(fit.after.at("onchip_pj_per_bit"), WithinRel(truth.power().onchip_pj_per_bit(), 0.03));
  for (const auto& row : fit.rows_after) {
    INFO(row.name);
    CHECK(row.within_tolerance());
  }
  // The same cases and start give the same figures.
  PowerFitResult again = fit_chip_power(start, "a100-80g", cases, options);
  CHECK(again.after == fit.after);
}

TEST_CASE("the fitted figures go into the chip file, comments and all", "[calibration][power]") {
  std::string text =
      "# a chip\nname: \"x\"\npower {\n  idle_w: 50\n  tdp_w: 300  \n  matrix_w: 100\n"
      "  # the floor\n  voltage_floor: 0.7\n  source { kind: \"estimate\" }\n}\n"
      "efficiency { gemm_max: 0.7 }\n";
  std::string out = with_power_fields(text, {{"matrix_w", 123.456}, {"collective_w", 40}});
  CHECK_THAT(out, ContainsSubstring("  matrix_w: 123.5\n"));
  CHECK_THAT(out, ContainsSubstring("  tdp_w: 300  \n  collective_w: 40\n"));
  CHECK_THAT(out, ContainsSubstring("# the floor\n  voltage_floor: 0.7\n"));
  CHECK_THAT(out, ContainsSubstring("efficiency { gemm_max: 0.7 }"));
  CHECK_THAT(out, ContainsSubstring("# a chip\n"));
}

TEST_CASE("a bad measurement CSV names its file, line and column", "[calibration][power]") {
  auto catalog = source_catalog();
  auto bad_number = test::write_temp_file(
      "bad.csv", "workload,model,cluster,measured_power_w\ndecode,llama2-13b,dgx-a100,fast\n");
  CHECK_THROWS_WITH(measurement_cases(bad_number, catalog),
                    ContainsSubstring("bad.csv:2:4: measured_power_w"));
  auto bad_column = test::write_temp_file("col.csv", "workload,model,watts\n");
  CHECK_THROWS_WITH(measurement_cases(bad_column, catalog),
                    ContainsSubstring("col.csv:1:3: header: unknown column \"watts\""));
  auto bad_workload = test::write_temp_file(
      "wl.csv", "workload,model,cluster,measured_time_s\ninfer,llama2-13b,dgx-a100,1\n");
  CHECK_THROWS_WITH(measurement_cases(bad_workload, catalog),
                    ContainsSubstring("wl.csv:2:1: workload"));
  auto bad_runtime = test::write_temp_file(
      "rt.csv",
      "workload,model,cluster,runtime,measured_time_s\ndecode,llama2-13b,dgx-a100,vllm-9,1\n");
  CHECK_THROWS_WITH(measurement_cases(bad_runtime, catalog),
                    ContainsSubstring("rt.csv:2:4: runtime: unknown runtime \"vllm-9\""));
  auto nothing =
      test::write_temp_file("none.csv", "workload,model,cluster\ndecode,llama2-13b,dgx-a100\n");
  CHECK_THROWS_WITH(measurement_cases(nothing, catalog), ContainsSubstring("needs one of them"));
  // The command exits 2 on it and writes nothing.
  auto out = std::filesystem::temp_directory_path() / "kcsim-calibrate-out.textproto";
  std::filesystem::remove(out);
  auto r = test::run_kcsim("calibrate power --chip a100-80g --measurements " + bad_number + " -o " +
                           out.string());
  CHECK(r.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("kcsim calibrate power writes a chip file a catalog can read", "[calibration][cli]") {
  auto catalog = source_catalog();
  auto csv = test::write_temp_file("cli-measured.csv", measurements_from(catalog));
  auto out = std::filesystem::temp_directory_path() / "kcsim-fitted-a100.textproto";
  std::filesystem::remove(out);
  auto r = test::run_kcsim("calibrate power --chip a100-80g --measurements " + csv +
                           " --max-evaluations 60 -o " + out.string() + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["fits"].size() == 1);
  CHECK(j["fits"][0]["chip"] == "a100-80g");
  CHECK(j["fits"][0]["cases"].size() == 12);
  config::Chip written;
  config::LoadedFile::parse(out, &written);
  CHECK(written.name() == "a100-80g");
  CHECK(written.power().has_matrix_w());
}

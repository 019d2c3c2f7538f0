// Bad input exits 2 and infeasible scenarios exit 3, each with a message a user can act on,
// and nothing on standard output.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
using kcsim::test::write_temp_file;

TEST_CASE("a malformed scenario exits 2 naming file:line:column and the field", "[cli][errors]") {
  auto path = write_temp_file("malformed.textproto",
                              "name: \"m\"\ncluster_names: \"dgx-a100\"\ntraining {\n"
                              "  model: \"gpt3-175b\"\n  global_bach: 8\n}\n");
  auto r = run_kcsim("run " + path);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("malformed.textproto:5:3"));
  CHECK_THAT(r.err, ContainsSubstring("global_bach"));
  CHECK(r.out.empty());
}

TEST_CASE("an unknown chip in a scenario exits 2 at its position with the known chips",
          "[cli][errors]") {
  auto path = write_temp_file("unknown-chip.textproto",
                              "clusters {\n  node {\n    chip: \"h900\"\n    devices_per_node: 8\n"
                              "  }\n}\nserving { model: \"llama2-7b\" }\n");
  auto r = run_kcsim("run " + path);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("unknown-chip.textproto:3:5"));
  CHECK_THAT(r.err, ContainsSubstring("unknown chip \"h900\""));
  CHECK_THAT(r.err, ContainsSubstring("h100-sxm"));
  CHECK(r.out.empty());
}

TEST_CASE("an unknown command exits 2 with the nearest command and every command",
          "[cli][errors]") {
  auto typo = run_kcsim("trian --model gpt3-175b");
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, ContainsSubstring("unknown command 'trian'; did you mean 'train'?"));
  CHECK_THAT(typo.err, ContainsSubstring("serve"));
  CHECK(typo.out.empty());
  // Nothing near: no guess, still the list.
  auto far = run_kcsim("quantum");
  CHECK(far.exit_code == 2);
  CHECK_THAT(far.err, ContainsSubstring("unknown command 'quantum'"));
  CHECK_FALSE(far.err.find("did you mean") != std::string::npos);
  CHECK_THAT(far.err, ContainsSubstring("sweep"));
  // The catalog folder's value is not taken for a command.
  auto catalog = run_kcsim("--configs configs chips");
  CHECK(catalog.exit_code == 0);
}

TEST_CASE("an unknown chip on the command line exits 2 with the known chips", "[cli][errors]") {
  auto r = run_kcsim("serve --model llama2-7b --chip tpu-v9");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("tpu-v9"));
  CHECK_THAT(r.err, ContainsSubstring("a100-80g"));
}

TEST_CASE("a dtype the chip lacks exits 3 naming the dtypes it has", "[cli][errors]") {
  auto r = run_kcsim("serve --model llama2-7b --chip a100-80g --tp 1 --dtype fp8");
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, ContainsSubstring("a100-80g does not support fp8"));
  CHECK_THAT(r.err, ContainsSubstring("bf16"));
  CHECK(r.out.empty());
}

TEST_CASE("a model that does not fit exits 3 with its memory and plans that fit",
          "[cli][errors]") {
  auto r = run_kcsim(
      "train --model gpt3-175b --chip a100-80g --devices 64 --tp 8 --pp 1 --global-batch 64");
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, ContainsSubstring("does not fit"));
  CHECK_THAT(r.err, ContainsSubstring("optimizer"));
  CHECK_THAT(r.err, ContainsSubstring("plans that fit"));
  CHECK(r.out.empty());
}

TEST_CASE("serving a model too large for the replica says which tp would fit", "[cli][errors]") {
  auto r = run_kcsim("serve --model llama2-70b --chip a100-80g --tp 1");
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, ContainsSubstring("GiB per device"));
  CHECK_THAT(r.err, ContainsSubstring("tp 2 would fit"));
}

TEST_CASE("tp that does not divide the heads exits 3 listing the tp values that do",
          "[cli][errors]") {
  auto r = run_kcsim(
      "train --model gpt3-175b --chip a100-80g --devices 80 --tp 5 --pp 16 --global-batch 80");
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, ContainsSubstring("tp 5 does not divide the 96 attention heads"));
  CHECK_THAT(r.err, ContainsSubstring("1, 2, 3, 4, 6, 8, 12"));
}

TEST_CASE("a plan larger than any cluster exits 3 with its device count, not a wrapped one",
          "[cli][errors]") {
  // tp x pp x dp = 1e5 x 1e5 x 1e7: each within its own bound, the product far past an int.
  auto path = write_temp_file("huge-plan.textproto",
                              "name: \"h\"\ncluster_names: \"dgx-a100\"\ntraining {\n"
                              "  model: \"llama2-7b\"\n  global_batch: 64\n"
                              "  plan { tp: 100000 pp: 100000 dp: 10000000 }\n}\n");
  auto r = run_kcsim("run " + path);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, ContainsSubstring("tp 100000 x pp 100000 x dp 10000000"));
  CHECK_THAT(r.err, ContainsSubstring("more than any cluster holds"));
  CHECK(r.out.empty());
}

TEST_CASE("training on an inference chip exits 3 naming the chip, planned or searched",
          "[cli][errors]") {
  for (const char* plan : {"--tp 8", "--auto-plan"}) {
    INFO(plan);
    auto r = run_kcsim(std::string("train --model llama3-8b --chip rngd --devices 8 "
                                   "--global-batch 64 ") +
                       plan);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, ContainsSubstring("chip rngd is an inference chip"));
    CHECK(r.out.empty());
  }
}

TEST_CASE("a scenario reports an inference chip's training as a run it cannot do",
          "[cli][errors]") {
  auto path = write_temp_file("npu-training.textproto",
                              "name: \"n\"\ncluster_names: \"dgx-h100\"\n"
                              "cluster_names: \"rngd-server\"\ntraining {\n"
                              "  model: \"llama3-8b\"\n  global_batch: 64\n"
                              "  allow_equivalent_dtype: true\n  auto_plan: true\n}\n");
  auto text = run_kcsim("run " + path);
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, ContainsSubstring("cannot run"));
  CHECK_THAT(text.out, ContainsSubstring("rngd-server training: chip rngd is an inference chip"));
  auto json = run_kcsim("run " + path + " --json");
  CHECK(json.exit_code == 0);
  CHECK_THAT(json.out, ContainsSubstring("\"training_error\": \"chip rngd is an inference chip"));
}

TEST_CASE("a bad flag value exits 2", "[cli][errors]") {
  CHECK(run_kcsim("train --model gpt3-175b --chip a100-80g --devices 8 --global-batch 8 "
                  "--recompute sometimes").exit_code == 2);
  CHECK(run_kcsim("train --model gpt3-175b --chip a100-80g --devices x --global-batch 8")
            .exit_code == 2);
  CHECK(run_kcsim("serve --model llama2-7b --chip a100-80g --engine quantum").exit_code == 2);
  CHECK(run_kcsim("train --model gpt3-175b --chip a100-80g --devices 8 --tp 8 --global-batch 8 "
                  "--collective-algorithm butterfly").exit_code == 2);
  CHECK(run_kcsim("run /nonexistent/scenario.textproto").exit_code == 2);
}

TEST_CASE("replay names a missing trace and exits 2", "[cli][errors]") {
  auto r = run_kcsim("replay /nonexistent/trace --cluster dgx-h100");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("/nonexistent/trace.0.et"));
}

TEST_CASE("export-chakra refuses a prefix in a missing folder", "[cli][errors][chakra]") {
  auto r = run_kcsim("export-chakra --model megatron-1.7b --chip a100-80g --devices 8 --tp 2 "
                     "--global-batch 8 --out /nonexistent/folder/plan");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("/nonexistent/folder"));
  CHECK(r.out.empty());
}

// Every bad input a careless or hostile user tried exits 2 (bad input) or 3 (infeasible or too
// large to simulate) with a message naming what is wrong, prints nothing on standard output,
// and returns at once instead of spinning or exhausting memory.
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
using kcsim::test::write_temp_file;

namespace {

struct BadInput {
  std::string arguments;
  int exit_code;
  std::string says;  // a substring of the error message
};

void check_all(const std::vector<BadInput>& cases) {
  for (const auto& c : cases) {
    INFO("kcsim " << c.arguments);
    auto r = run_kcsim(c.arguments);
    CHECK(r.exit_code == c.exit_code);
    CHECK_THAT(r.err, ContainsSubstring(c.says));
    CHECK(r.out.empty());
  }
}

const std::string kServe = "serve --model llama3-8b --chip h100-sxm ";
const std::string kTrain = "train --model llama3-8b --chip h100-sxm --devices 8 --global-batch 64 ";

// A scenario on a catalog cluster with `cluster` written inline instead when given.
std::string scenario(const std::string& name, const std::string& body) {
  return write_temp_file(name, "name: \"bad\"\n" + body);
}

}  // namespace

TEST_CASE("flags out of range exit 2 naming the flag", "[cli][errors][bad-input]") {
  check_all({
      {kServe + "--rate 5 --requests 1 --arrival-cv 1e-155", 2, "--arrival-cv: must lie in"},
      {kServe + "--rate 1e-308 --requests 3", 2, "--rate: must lie in"},
      {kServe + "--rate 5 --duration-s 1e300", 2, "--duration-s: must lie in"},
      {kServe + "--replicas 2000000000", 2, "--replicas: must lie in"},
      {kServe + "--devices -1", 2, "--devices"},
      {kServe + "--rate 5 --requests 10 --cluster-power-cap-w 0", 2, "--cluster-power-cap-w"},
      {kServe + "--rate 5 --requests 10 --cluster-power-cap-w nan", 2, "--cluster-power-cap-w"},
      {kTrain + "--power-cap-w 0", 2, "--power-cap-w"},
      {kTrain + "--power-cap-w nan", 2, "--power-cap-w"},
      {kTrain + "--power-cap-w -5", 2, "--power-cap-w"},
      {kTrain + "--engine event --straggler 0:inf", 2, "--straggler"},
      {kTrain + "--seq-len 0", 2, "--seq-len: must lie in"},
      {"topo dgx-h100 --nodes 0", 2, "--nodes"},
      {"replay x --cluster dgx-h100 --nodes 0", 2, "--nodes"},
      {"plan --power-mw 1 --model llama3-8b --chip h100-sxm --racks 0", 2, "--racks"},
  });
}

TEST_CASE("conflicting flags are an error, not a silent choice", "[cli][errors][bad-input]") {
  check_all({
      {"train --model llama3-8b --chip rngd --cluster dgx-h100 --devices 8 --global-batch 64", 2,
       "conflicts with --cluster dgx-h100"},
      {"serve --model llama3-70b --chip h100-sxm --tp 8 --devices 4", 2, "cannot hold one replica"},
  });
}

TEST_CASE("names that are not catalog keys exit 2 before touching the file system",
          "[cli][errors][bad-input]") {
  check_all({
      {"serve --model llama3-8b --chip " + std::string(300, 'x'), 2, "is not a catalog name"},
      {"serve --model ../chips/h100-sxm --chip h100-sxm", 2, "is not a catalog name"},
      {"serve --model \"$(printf 'llama\\377')\" --chip h100-sxm --json", 2, "not valid UTF-8"},
  });
}

TEST_CASE("sizes past the limits are refused before anything is built",
          "[cli][errors][bad-input]") {
  auto wide = scenario("wide.textproto",
                       "cluster_refs { catalog: \"dgx-h100\" nodes: 1000000 }\n"
                       "serving { model: \"llama3-8b\" }\n");
  auto per_node = scenario("per-node.textproto",
                           "clusters { node { chip: \"h100-sxm\" devices_per_node: 2147483647 } }\n"
                           "serving { model: \"llama3-8b\" }\n");
  auto nodes =
      scenario("nodes.textproto",
               "clusters { nodes: 2147483647 node { chip: \"h100-sxm\" devices_per_node: 8 "
               "} scale_out { nic_bandwidth_gbit_per_s: 400 } }\n"
               "serving { model: \"llama3-8b\" }\n");
  auto repeat = scenario("repeat.textproto",
                         "cluster_names: \"dgx-h100\"\nengine: \"event\"\n"
                         "layer_workload { layers { forward_ms: 1 backward_ms: 1 } "
                         "repeat: 2000000000 }\n");
  check_all({
      {"run " + wide, 3, "too large to simulate: 1000000 nodes x 8 devices"},
      {"run " + per_node, 2, "devices_per_node: must lie in [1, 1024]"},
      {"run " + nodes, 2, "clusters[0].nodes: must lie in [1, 1e+06]"},
      {"run " + repeat, 2, "repeat: must lie in [1, 100000]"},
      {"topo dgx-h100 --nodes 100000", 3, "too large to simulate"},
      {kServe + "--replicas 9000000", 3, "too large to simulate"},
      {kServe + "--rate 1e7 --duration-s 1e8", 3, "too large to simulate"},
  });
}

TEST_CASE("only regular files are read as inputs", "[cli][errors][bad-input]") {
  auto fifo = std::filesystem::temp_directory_path() / "kcsim-bad-input.fifo";
  std::filesystem::remove(fifo);
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  check_all({
      {"run /dev/zero", 2, "/dev/zero: file: is not a regular file"},
      {"run /dev/urandom", 2, "is not a regular file"},
      {"run " + fifo.string(), 2, "is not a regular file"},
      {"run " + std::filesystem::temp_directory_path().string(), 2, "is not a regular file"},
      {kServe + "--trace /dev/zero", 2, "is not a regular file"},
  });
  std::filesystem::remove(fifo);
}

TEST_CASE("non-finite and out-of-range numbers in files name file:line:field",
          "[cli][errors][bad-input]") {
  auto cluster = [](const std::string& extra_node, const std::string& extra_cluster) {
    return "clusters { " + extra_cluster + " node { chip: \"h100-sxm\" devices_per_node: 8 " +
           extra_node + " } }\nserving { model: \"llama3-8b\" }\n";
  };
  auto tdp = scenario("tdp-inf.textproto", cluster("chip_overrides { power { tdp_w: inf } }", ""));
  auto pue = scenario("pue-inf.textproto", cluster("", "facility { pue: inf }"));
  auto nan_bandwidth = scenario(
      "bw-nan.textproto", cluster("chip_overrides { memory { bandwidth_gb_per_s: nan } }", ""));
  auto tiny =
      scenario("tiny.textproto", cluster("chip_overrides { memory { capacity_gib: 1e-308 } }", ""));
  auto oversubscribed = scenario(
      "oversub.textproto",
      cluster("", "nodes: 2 scale_out { nic_bandwidth_gbit_per_s: 400 oversubscription: 1e-4 }"));
  auto no_layers = scenario("no-layers.textproto",
                            "cluster_names: \"dgx-h100\"\nengine: \"event\"\n"
                            "layer_workload { repeat: 2 }\n");
  auto bad_utf8 = scenario("utf8.textproto",
                           "cluster_names: \"dgx-\xff\"\n"
                           "serving { model: \"llama3-8b\" }\n");
  check_all({
      {"run " + tdp, 2, "tdp-inf.textproto:2:"},
      {"run " + tdp, 2, "power.tdp_w: must be a finite number"},
      {"run " + pue, 2, "facility.pue: must be a finite number"},
      {"run " + nan_bandwidth, 2, "bandwidth_gb_per_s: must be a finite number"},
      {"run " + tiny, 2, "capacity_gib: must lie in"},
      {"run " + oversubscribed, 2, "oversubscription: must lie in [1, 64]"},
      {"run " + no_layers, 2, "layers: a layer workload needs at least one layer"},
      {"run " + bad_utf8, 2, "cluster_names[0]: is not valid UTF-8"},
      {"run " + bad_utf8 + " --json", 2, "is not valid UTF-8"},
  });
}

TEST_CASE("a per-device cap below the slowest clock's held draw exits 3 with the floor",
          "[cli][errors][bad-input]") {
  check_all({
      {kTrain + "--power-cap-w 10", 3, "give a cap above"},
      {kServe + "--power-cap-w 10", 3, "lies at or below what a held h100-sxm draws"},
  });
  auto r = run_kcsim(kServe + "--power-cap-w 150");
  CHECK(r.exit_code == 0);
}

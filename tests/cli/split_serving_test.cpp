// Disaggregated serving across chips: prefill on one pool of a mixed cluster, decode on
// another, each priced by its own chip, the KV cache sent between them and converted when the
// pools keep it in different dtypes.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_kcsim.hpp"

using Catch::Approx;
using Catch::Matchers::ContainsSubstring;
using kcsim::test::run_kcsim;
using kcsim::test::write_temp_file;

namespace {

// Llama-3-8B prefilled on two H100 replicas and decoded on four RNGD replicas.
const std::string kSplit =
    "serve --model llama3-8b --cluster kcloud-mixed:h100 --tp 1 --replicas 2 --decode-pool rngd "
    "--decode-tp 1 --decode-replicas 4 --scheduler disaggregated --rate 40 --requests 300 "
    "--prompt-tokens 512 --output-tokens 64 --check-kv --json ";

}  // namespace

TEST_CASE("serving across chips: each pool on its chip with KV bytes and energy conserved",
          "[cli][pools][serving]") {
  auto run = run_kcsim(kSplit + "--decode-kv-dtype fp8");
  REQUIRE(run.exit_code == 0);
  auto j = nlohmann::json::parse(run.out);
  REQUIRE(j.at("requests_completed") == 300);
  const auto& pools = j.at("pools");
  REQUIRE(pools.size() == 2);
  CHECK(pools[0].at("role") == "prefill");
  CHECK(pools[0].at("chip") == "h100-sxm");
  CHECK(pools[0].at("pool") == "kcloud-mixed:h100");
  CHECK(pools[0].at("replicas") == 2);
  CHECK(pools[0].at("kv_dtype") == "bf16");
  CHECK(pools[1].at("role") == "decode");
  CHECK(pools[1].at("chip") == "rngd");
  CHECK(pools[1].at("replicas") == 4);
  CHECK(pools[1].at("kv_dtype") == "fp8");
  CHECK(j.at("prefill_replicas") == 2);
  CHECK(j.at("decode_replicas") == 4);

  // Every request's prompt crosses once, in the prefill pool's dtype, and is converted.
  double per_token = j.at("kv_bytes_per_token").get<double>();
  CHECK(j.at("kv_transfer_bytes").get<double>() == Approx(300 * 512 * per_token).epsilon(1e-12));
  CHECK(j.at("kv_conversion_bytes").get<double>() == j.at("kv_transfer_bytes").get<double>());
  CHECK(j.at("link_bytes_between_servers").get<double>() >=
        j.at("kv_transfer_bytes").get<double>());

  // The pools' energies add up to the run's.
  double it = 0, facility = 0, devices = 0;
  for (const auto& p : pools) {
    it += p.at("it_energy_j").get<double>();
    facility += p.at("facility_energy_j").get<double>();
    devices += p.at("devices").get<double>();
    CHECK(p.at("busy_fraction").get<double>() > 0);
    CHECK(p.at("busy_fraction").get<double>() <= 1);
  }
  CHECK(it == Approx(j.at("energy_breakdown_j").at("it_j").get<double>()).epsilon(1e-12));
  CHECK(facility == Approx(j.at("energy_j").get<double>()).epsilon(1e-12));
  CHECK(devices == j.at("devices").get<double>());

  // The same KV dtype on both sides: nothing is converted, and the same caches are sent.
  auto same = run_kcsim(kSplit + "--decode-kv-dtype bf16");
  REQUIRE(same.exit_code == 0);
  auto s = nlohmann::json::parse(same.out);
  CHECK(s.at("kv_conversion_bytes") == 0);
  CHECK(s.at("kv_transfer_bytes") == j.at("kv_transfer_bytes"));
}

TEST_CASE("serving across chips: every request prefilled on one pool and decoded on the other",
          "[cli][pools][serving]") {
  auto csv = write_temp_file("split-requests.csv", "");
  auto run = run_kcsim(kSplit + "--requests-out " + csv);
  REQUIRE(run.exit_code == 0);
  std::ifstream lines(csv);
  int checked = 0;
  std::string line;
  std::getline(lines, line);  // header: ...,replica,decode_replica,...
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    REQUIRE(cells.size() >= 11);
    int replica = std::stoi(cells[9]), decode = std::stoi(cells[10]);
    CHECK(replica >= 0);
    CHECK(replica < 2);
    CHECK(decode >= 2);
    CHECK(decode < 6);
    ++checked;
  }
  CHECK(checked == 300);
}

TEST_CASE("serving across chips: what cannot be asked is refused with the reason",
          "[cli][pools][serving]") {
  auto continuous = run_kcsim(
      "serve --model llama3-8b --cluster kcloud-mixed:h100 --tp 1 --replicas 1 --decode-pool rngd "
      "--rate 1 --requests 10 --json");
  CHECK(continuous.exit_code == 2);
  CHECK_THAT(continuous.err, ContainsSubstring("scheduler \"disaggregated\""));

  auto alone = run_kcsim(
      "serve --model llama3-8b --cluster dgx-h100 --tp 1 --replicas 1 --decode-pool rngd "
      "--scheduler disaggregated --rate 1 --requests 10 --json");
  CHECK(alone.exit_code == 2);
  CHECK_THAT(alone.err, ContainsSubstring("is not a pool of a cluster of several kinds"));

  auto itself = run_kcsim(
      "serve --model llama3-8b --cluster kcloud-mixed:h100 --tp 1 --replicas 1 --decode-pool h100 "
      "--scheduler disaggregated --rate 1 --requests 10 --json");
  CHECK(itself.exit_code == 2);
  CHECK_THAT(itself.err, ContainsSubstring("is the pool the job prefills on"));

  auto unnamed = run_kcsim(
      "serve --model llama3-8b --cluster kcloud-mixed:h100 --tp 1 --replicas 2 --decode-tp 1 "
      "--scheduler disaggregated --rate 1 --requests 10 --json");
  CHECK(unnamed.exit_code == 2);
  CHECK_THAT(unnamed.err, ContainsSubstring("name it with --decode-pool"));

  auto capped = run_kcsim(kSplit + "--cluster-power-cap-w 20000");
  CHECK(capped.exit_code == 2);
  CHECK_THAT(capped.err, ContainsSubstring("device_power_cap_w"));

  // Llama-3-70B does not fit one ATOM card: the decode pool says which tp would.
  auto big = run_kcsim(
      "serve --model llama3-70b --cluster kcloud-mixed:h100 --tp 8 --replicas 1 --decode-pool atom "
      "--decode-tp 1 --scheduler disaggregated --rate 1 --requests 10 --json");
  CHECK(big.exit_code == 3);
  CHECK_THAT(big.err, ContainsSubstring("atom"));
}

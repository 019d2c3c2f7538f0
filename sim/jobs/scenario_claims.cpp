#include "sim/jobs/scenario_claims.hpp"

#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/json_metric.hpp"
#include "analysis/json_writer.hpp"
#include "configs/loader/errors.hpp"

namespace kcsim {
namespace {

std::string claim_field(int index, const char* field) {
  return fmt::format("claims[{}].{}", index, field);
}

}  // namespace

void check_claims(const config::Scenario& scenario, const config::LoadedFile& file) {
  for (int i = 0; i < scenario.claims_size(); ++i) {
    const auto& claim = scenario.claims(i);
    auto require = [&](bool present, const char* field, const char* what) {
      if (!present) {
        throw_input_error(file.locate(fmt::format("claims[{}]", i)), claim_field(i, field),
                          fmt::format("a claim needs {}", what));
      }
    };
    require(!claim.statement().empty(), "statement", "the claim in words");
    require(!claim.metric().empty(), "metric", "the output key it is compared with");
    require(claim.has_value(), "value", "the published figure");
    require(!claim.source().citation().empty(), "source", "a source with its citation");
  }
}

std::vector<ClaimCheck> read_claims(const config::Scenario& scenario,
                                    const config::LoadedFile& file, const ScenarioResult& result) {
  std::vector<ClaimCheck> checks;
  if (scenario.claims_size() == 0) return checks;
  const Json out = to_json(result);
  const Json& runs = out.at("runs");
  for (int i = 0; i < scenario.claims_size(); ++i) {
    const auto& claim = scenario.claims(i);
    ClaimCheck check;
    check.statement = claim.statement();
    check.metric = claim.metric();
    check.published = claim.value();
    check.citation = claim.source().citation();
    check.assumptions = claim.assumptions();
    const Json* run = nullptr;
    std::vector<std::string> clusters;
    for (const auto& entry : runs) {
      clusters.push_back(entry.at("cluster").get<std::string>());
      if (!run && (claim.cluster().empty() || clusters.back() == claim.cluster())) run = &entry;
    }
    if (!run) {
      throw_input_error(file.locate(claim_field(i, "cluster")), claim_field(i, "cluster"),
                        fmt::format("\"{}\" is not a cluster this scenario runs; it runs: {}",
                                    claim.cluster(), fmt::join(clusters, ", ")));
    }
    check.cluster = run->at("cluster").get<std::string>();
    if (const Json* value = find_metric(*run, claim.metric())) {
      check.simulated = value->get<double>();
    } else {
      // A workload that could not run has its reason where its output would be.
      std::string workload = claim.metric().substr(0, claim.metric().find('.'));
      auto error = run->find(workload + "_error");
      if (error == run->end()) {
        throw_input_error(file.locate(claim_field(i, "metric")), claim_field(i, "metric"),
                          fmt::format("\"{}\" is not a numeric key of the {} run's output "
                                      "(kcsim run --json shows them)",
                                      claim.metric(), check.cluster));
      }
      check.error = error->get<std::string>();
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace kcsim

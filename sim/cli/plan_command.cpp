// `kcsim plan`: devices and racks that fit a facility power budget, and what they deliver.
#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "analysis/mix_plan_report.hpp"
#include "analysis/text_report.hpp"
#include "configs/loader/dtype.hpp"
#include "configs/loader/errors.hpp"
#include "scenario.pb.h"
#include "sim/cli/commands.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cli/support.hpp"
#include "sim/cluster/scenario_clusters.hpp"
#include "sim/jobs/envelope_plan.hpp"
#include "sim/jobs/mix_plan.hpp"

namespace kcsim::cli {
namespace {

// `kcsim plan --mix FILE`: the scenario's mix plan, its budget, cluster and objective replaced by
// the flags given.
int plan_mix_file(const PlanOptions& o, std::ostream& out) {
  for (const auto& [flag, set] :
       {std::pair{"--model", !o.model.empty()}, std::pair{"--chip", !o.chip.empty()},
        std::pair{"--racks", o.racks > 0}, std::pair{"--cooling", !o.cooling.empty()}}) {
    if (set) {
      throw_input_error(Origin{}, flag,
                        "a mix plan takes its workloads and servers from the file (--mix)");
    }
  }
  if (o.power_mw < 0) throw_input_error(Origin{}, "--power-mw", "must be positive");
  auto catalog = catalog_of(o.common);
  config::Scenario scenario;
  auto file = config::LoadedFile::parse(o.mix, &scenario);
  if (!scenario.has_mix_plan()) {
    throw_input_error(
        file.locate(""), "mix_plan",
        "the file has no mix_plan (configs/scenarios/kcloud-mixed.textproto has one)");
  }
  check_scenario(scenario, file);
  config::MixPlan plan = scenario.mix_plan();
  if (o.power_mw > 0) plan.set_power_budget_mw(o.power_mw);
  if (!o.objective.empty()) plan.set_objective(o.objective);
  if (o.cluster.empty() && plan.cluster().empty()) {
    throw_input_error(file.locate("mix_plan"), "mix_plan.cluster",
                      "the cluster of several pools to plan (or --cluster)");
  }
  config::Cluster mixed = !o.cluster.empty()
                              ? load_cluster(catalog, o.cluster)
                              : catalog.cluster(plan.cluster(), file.locate("mix_plan.cluster"));
  MixPlanResult result = plan_mix(plan, mixed, catalog, {&file, "mix_plan"});
  if (o.common.json)
    print_json(out, mix_plan_json(result));
  else
    out << format_mix_plan(result).substr(1);
  return 0;
}

}  // namespace

int plan(const PlanOptions& o, std::ostream& out) {
  if (!o.mix.empty()) return plan_mix_file(o, out);
  if (!o.objective.empty()) {
    throw_input_error(Origin{}, "--objective", "plans a mix: give it with --mix");
  }
  if (o.model.empty())
    throw_input_error(Origin{}, "--model", "required (or plan a mix with --mix)");
  if (o.power_mw == 0) throw_input_error(Origin{}, "--power-mw", "required");
  if (o.workload != "serving" && o.workload != "training") {
    throw_input_error(Origin{}, "--workload",
                      fmt::format("unknown workload \"{}\"; use serving or training", o.workload));
  }
  auto dtype = parse_dtype(o.dtype);
  if (!dtype) {
    throw_input_error(Origin{}, "--dtype", fmt::format("unknown dtype \"{}\"", o.dtype));
  }
  auto catalog = catalog_of(o.common);
  EnvelopeRequest request;
  request.power_mw = o.power_mw;
  request.max_racks = o.racks;
  request.cluster = cluster_for(catalog, o.cluster, o.chip, 0);
  if (!o.cooling.empty()) {
    auto* cooling = request.cluster.mutable_facility()->mutable_cooling();
    if (o.cooling == "air") {
      cooling->set_kind(config::AIR);
    } else if (o.cooling == "liquid") {
      cooling->set_kind(config::LIQUID);
    } else {
      throw_input_error(Origin{}, "--cooling",
                        fmt::format("unknown cooling \"{}\"; use air or liquid", o.cooling));
    }
  }
  if (o.workload == "serving") {
    config::ServingJob job;
    job.set_model(o.model);
    job.set_dtype(*dtype);
    if (o.tp > 0) job.set_tp(o.tp);
    job.set_batch_size(o.batch_size);
    job.set_prompt_tokens(o.prompt_tokens);
    job.set_output_tokens(o.output_tokens);
    request.serving = job;
  } else {
    if (o.global_batch <= 0) {
      throw_input_error(Origin{}, "--global-batch", "training needs a positive global batch");
    }
    config::TrainingJob job;
    job.set_model(o.model);
    job.set_dtype(*dtype);
    job.set_global_batch(o.global_batch);
    job.set_micro_batch(o.micro_batch);
    job.set_seq_len(o.seq_len);
    job.mutable_plan()->set_tp(std::max(1, o.tp));
    job.mutable_plan()->set_pp(o.pp);
    job.mutable_plan()->set_sequence_parallel(o.tp > 1);
    request.training = job;
  }
  EnvelopeResult result = plan_envelope(request, catalog);
  if (o.common.json)
    print_json(out, to_json(result));
  else
    out << format_envelope(result);
  return 0;
}

}  // namespace kcsim::cli

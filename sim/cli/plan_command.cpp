// `kcsim plan`: devices and racks that fit a facility power budget, and what they deliver.
#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "analysis/text_report.hpp"
#include "configs/loader/dtype.hpp"
#include "configs/loader/errors.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/support.hpp"
#include "sim/jobs/envelope_plan.hpp"

namespace kcsim::cli {

int plan(const PlanOptions& o, std::ostream& out) {
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
  out << (o.common.json ? dump(to_json(result)) : format_envelope(result));
  return 0;
}

}  // namespace kcsim::cli

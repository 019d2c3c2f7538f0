#include "sim/jobs/validation_runner.hpp"

#include <fmt/format.h>

#include "analysis/json_metric.hpp"
#include "analysis/json_writer.hpp"
#include "configs/loader/run_control.hpp"
#include "configs/loader/text_loader.hpp"
#include "sim/cluster/cluster_model.hpp"
#include "sim/jobs/jobs.hpp"

namespace kcsim {
namespace {

config::Cluster case_cluster(const config::ValidationCase& c, const config::Catalog& catalog,
                             const config::LoadedFile& file) {
  return c.has_cluster() ? c.cluster()
                         : catalog.cluster(c.cluster_name(), file.locate("cluster_name"));
}

// Runs the case's job (with `baseline`'s fields over it when given) and reads the metric.
double run_metric(const config::ValidationCase& c, const config::LoadedFile& file,
                  const config::Catalog& catalog, const config::Baseline* baseline,
                  ValidationRow& row) {
  ClusterModel cluster = resolve_cluster(case_cluster(c, catalog, file), catalog, &file, "cluster");
  Json out;
  if (c.has_training()) {
    config::TrainingJob job = c.training();
    if (baseline) job.MergeFrom(baseline->training());
    TrainingResult result = run_training_job(job, cluster, catalog, {&file, "training"});
    out = to_json(result);
    if (!baseline) row.run = std::move(result);
  } else if (c.has_serving()) {
    config::ServingJob job = c.serving();
    if (baseline) job.MergeFrom(baseline->serving());
    ServingResult result = run_serving_job(job, cluster, catalog, {&file, "serving"});
    out = to_json(result);
    if (!baseline) row.run = std::move(result);
  } else {
    throw_input_error(file.locate(""), "training, serving", "a case needs a workload");
  }
  const Json* value = find_metric(out, c.metric());
  if (!value) {
    throw_input_error(file.locate("metric"), "metric",
                      fmt::format("\"{}\" is not a numeric output key", c.metric()));
  }
  return value->get<double>();
}

}  // namespace

std::vector<ValidationCaseFile> read_validation_cases(const config::Catalog& catalog) {
  std::vector<ValidationCaseFile> cases;
  for (const auto& path : catalog.files("validation")) {
    config::ValidationCase spec;
    auto file = config::LoadedFile::parse(path, &spec);
    cases.push_back({path, std::move(spec), std::move(file)});
  }
  return cases;
}

ValidationRow run_validation_case(const ValidationCaseFile& entry, const config::Catalog& catalog) {
  const auto& c = entry.spec;
  const auto& file = entry.file;
  ValidationRow row;
  row.name = c.name().empty() ? entry.path.stem().string() : c.name();
  row.citation = c.source().citation();
  row.metric = c.metric();
  row.published = c.published();
  row.tolerance = c.tolerance();
  row.tolerance_abs = c.tolerance_abs();
  row.ratio = c.has_ratio_to();
  try {
    row.simulated = run_metric(c, file, catalog, nullptr, row);
    if (c.has_ratio_to()) {
      double base = run_metric(c, file, catalog, &c.ratio_to(), row);
      if (!(base != 0)) {
        throw InfeasibleError(fmt::format("the baseline run's {} is 0", c.metric()));
      }
      row.simulated /= base;
    }
  } catch (const InfeasibleError& e) {
    row.error = e.what();
  }
  return row;
}

std::vector<ValidationRow> run_validation(const config::Catalog& catalog) {
  std::vector<ValidationRow> rows;
  for (const auto& c : read_validation_cases(catalog)) {
    throw_if_interrupted();
    rows.push_back(run_validation_case(c, catalog));
  }
  return rows;
}

std::string validation_case_chip(const ValidationCaseFile& entry, const config::Catalog& catalog) {
  return case_cluster(entry.spec, catalog, entry.file).node().chip();
}

}  // namespace kcsim

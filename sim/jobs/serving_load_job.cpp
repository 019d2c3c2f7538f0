#include "sim/jobs/serving_load_job.hpp"

#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "workloads/serving/batch_policy.hpp"
#include "workloads/serving/request_stream.hpp"
#include "workloads/serving/request_trace.hpp"
#include "workloads/serving/router.hpp"

namespace kcsim {
namespace {

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t at = text.find(by, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

bool number(const std::string& text, double& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// "fixed", "uniform:MIN:MAX", "lognormal:MEAN:SIGMA" or "trace" (trace_lengths set).
serving::Lengths lengths_spec(const std::string& text, int64_t fixed, const Origin& where,
                              const std::string& field, bool& trace_lengths) {
  serving::Lengths lengths;
  lengths.fixed = fixed;
  auto parts = split(text, ':');
  double a = 0, b = 0;
  bool two = parts.size() == 3 && number(parts[1], a) && number(parts[2], b);
  if (text == "fixed") return lengths;
  if (text == "trace") {
    trace_lengths = true;
    return lengths;
  }
  if (parts[0] == "uniform" && two && a >= 1 && b >= a) {
    lengths.kind = serving::Lengths::Kind::Uniform;
    lengths.min = static_cast<int64_t>(a);
    lengths.max = static_cast<int64_t>(b);
    return lengths;
  }
  if (parts[0] == "lognormal" && two && a >= 1 && b > 0) {
    lengths.kind = serving::Lengths::Kind::Lognormal;
    lengths.mean = a;
    lengths.sigma = b;
    lengths.min = 1;
    lengths.max = static_cast<int64_t>(16 * a);
    return lengths;
  }
  throw_input_error(where, field,
                    fmt::format("\"{}\" is not fixed, uniform:MIN:MAX (1 <= MIN <= MAX), "
                                "lognormal:MEAN:SIGMA (MEAN >= 1, SIGMA > 0) or trace",
                                text));
}

// The trace file: a relative path is taken from the folder of the file that names it, as every
// other path in a scenario is; from the working folder when the job came from flags.
std::filesystem::path trace_path(const config::ServingLoad& load, const JobOrigin& origin) {
  std::filesystem::path path = load.trace();
  if (path.is_relative() && origin.file && !origin.file->file().empty()) {
    return std::filesystem::path(origin.file->file()).parent_path() / path;
  }
  return path;
}

serving::RequestStream trace_of(const config::ServingLoad& load, const JobOrigin& origin) {
  return serving::read_request_trace(
      trace_path(load, origin),
      {load.timestamp_column(), load.input_column(), load.output_column()});
}

}  // namespace

ServingLoadOptions serving_load_options(const config::ServingLoad& load, const JobOrigin& origin) {
  auto at = [&](const char* field) { return origin.at(std::string("load.") + field); };
  ServingLoadOptions o;
  const auto& s = load.scheduler();
  if (s == kDisaggregated) {
    o.disaggregated = true;  // prefill and decode pools, each batching continuously
  } else if (serving::find_batch_policy(s)) {
    o.policy = s;
  } else {
    throw_input_error(at("scheduler"), "scheduler",
                      fmt::format("unknown scheduler \"{}\"; use {}", s, scheduler_names()));
  }
  if (!serving::find_router(load.router())) {
    throw_input_error(
        at("router"), "router",
        fmt::format("unknown router \"{}\"; use {}", load.router(), serving::router_names()));
  }
  o.router = load.router();
  // Each number's range was checked where the load entered (its (allowed) interval in
  // workload.proto, by check_fields); what is checked here is what the names mean.
  o.block_tokens = load.block_tokens();
  o.chunk_tokens = load.chunk_tokens();
  if (load.has_prefill_token_budget()) o.prefill_token_budget = load.prefill_token_budget();
  if (load.has_max_batch()) o.max_batch = load.max_batch();
  o.prefill_replicas = load.prefill_replicas();
  o.slo_ttft_s = load.slo_ttft_s();
  o.slo_tpot_s = load.slo_tpot_s();
  o.record_iterations = load.log_iterations();
  o.cluster_power_cap_w = load.cluster_power_cap_w();
  o.checked_kv = load.check_kv();
  o.fleet_copies = load.fleet_copies();
  if (load.has_trace()) {
    o.arrivals = "trace";
  } else if (load.arrival_cv() != 1) {
    o.arrivals = fmt::format("gamma (cv {})", load.arrival_cv());
  } else {
    o.arrivals = "poisson";
  }
  return o;
}

serving::RequestStream serving_load_requests(const config::ServingLoad& load,
                                             const ServingSpec& spec, const JobOrigin& origin) {
  auto at = [&](const char* field) { return origin.at(std::string("load.") + field); };
  std::optional<int64_t> count;
  std::optional<double> duration;
  // Ranges were checked where the load entered (check_fields); here, what the fields mean
  // together.
  if (load.has_requests()) count = load.requests();
  if (load.has_duration_s()) duration = load.duration_s();
  if (!load.has_rate_per_s() && !load.has_trace()) {
    throw_input_error(at("rate_per_s"), "rate_per_s", "give an arrival rate or a request trace");
  }
  if (!load.has_rate_per_s()) {
    return serving::truncate_requests(trace_of(load, origin), count, duration);
  }
  if (!count && !duration) {
    throw_input_error(at("rate_per_s"), "requests",
                      "a rate-driven stream needs a request count or a duration");
  }
  double expected = load.rate_per_s() * duration.value_or(0);
  if (!count && expected > kMaxStreamRequests) {
    throw InfeasibleError(fmt::format(
        "too large to simulate: {:g} requests/s for {:g} s is about {:.3g} requests, limit {}; "
        "give a request count or a shorter duration",
        load.rate_per_s(), *duration, expected, kMaxStreamRequests));
  }
  bool trace_in = false, trace_out = false;
  auto input = lengths_spec(load.input_lengths(), spec.prompt_tokens, at("input_lengths"),
                            "input_lengths", trace_in);
  auto output = lengths_spec(load.output_lengths(), spec.output_tokens, at("output_lengths"),
                             "output_lengths", trace_out);
  serving::Arrivals arrivals;
  arrivals.rate_per_s = load.rate_per_s();
  arrivals.cv = load.arrival_cv();
  arrivals.kind =
      load.arrival_cv() == 1 ? serving::Arrivals::Kind::Poisson : serving::Arrivals::Kind::Gamma;
  serving::RequestStream lengths_trace;
  if (trace_in || trace_out) {
    if (!load.has_trace() || !trace_in || !trace_out) {
      throw_input_error(at("input_lengths"), "input_lengths",
                        "trace lengths need a request trace and apply to input and output both");
    }
    lengths_trace = trace_of(load, origin);
  }
  return serving::synthetic_requests(arrivals, input, output, count, duration, load.seed(),
                                     lengths_trace.empty() ? nullptr : &lengths_trace);
}

ServingResult run_serving_load_job(const config::ServingLoad& load, const ServingSpec& spec,
                                   const ClusterModel& cluster, const JobOrigin& origin,
                                   const DecodePoolRun* decode) {
  ServingLoadOptions options = serving_load_options(load, origin);
  // The stack's own scheduler limits where the load leaves them out.
  if (!load.has_max_batch()) options.max_batch = spec.runtime.max_running_sequences;
  if (!load.has_prefill_token_budget()) {
    options.prefill_token_budget = spec.runtime.max_batched_tokens;
  }
  if (decode) {
    if (load.has_cluster_power_cap_w()) {
      throw_input_error(origin.at("load.cluster_power_cap_w"), "cluster_power_cap_w",
                        "a cluster power cap is shared by one pool's replicas; across pools cap "
                        "each chip with device_power_cap_w (and decode_pool.device_power_cap_w)");
    }
    return simulate_split_serving_load(cluster, spec, decode->cluster, decode->spec, options,
                                       serving_load_requests(load, spec, origin));
  }
  return simulate_serving_load(cluster, spec, options, serving_load_requests(load, spec, origin));
}

}  // namespace kcsim

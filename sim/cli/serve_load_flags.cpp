// `kcsim serve` flags of a request stream, into the job's `load` block.
#include "sim/cli/serve_load_flags.hpp"

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "sim/cli/flag_values.hpp"

namespace kcsim::cli {

bool apply_load_flags(const ServeOptions& o, config::ServingJob& job) {
  bool stream = o.rate_per_s.has_value() || !o.trace.empty();
  if (!stream) {
    bool any = o.duration_s || o.slo_ttft_s || o.slo_tpot_s || o.arrival_cv || o.requests ||
               o.block_tokens || o.chunk_tokens || o.max_batch || o.prefill_replicas || o.seed ||
               !o.scheduler.empty() || !o.router.empty() || !o.input_lengths.empty() ||
               !o.output_lengths.empty() || !o.requests_out.empty() || o.log_iterations ||
               o.cluster_power_cap_w || o.check_kv || o.fleet_copies || !o.decode_pool.empty();
    if (any) {
      throw_input_error(Origin{}, "--rate",
                        "request-stream flags (--requests, --scheduler, --slo-ttft-s, ...) need "
                        "--rate QPS or --trace FILE");
    }
    return false;
  }
  auto* load = job.mutable_load();
  if (o.rate_per_s) load->set_rate_per_s(*o.rate_per_s);
  if (!o.trace.empty()) load->set_trace(o.trace);
  if (o.requests) load->set_requests(*o.requests);
  if (o.duration_s) load->set_duration_s(*o.duration_s);
  if (o.arrival_cv) load->set_arrival_cv(*o.arrival_cv);
  if (!o.scheduler.empty()) load->set_scheduler(o.scheduler);
  if (!o.router.empty()) load->set_router(o.router);
  if (o.slo_ttft_s) load->set_slo_ttft_s(*o.slo_ttft_s);
  if (o.slo_tpot_s) load->set_slo_tpot_s(*o.slo_tpot_s);
  if (o.block_tokens) load->set_block_tokens(*o.block_tokens);
  if (o.chunk_tokens) load->set_chunk_tokens(*o.chunk_tokens);
  if (o.max_batch) load->set_max_batch(*o.max_batch);
  if (o.prefill_replicas) load->set_prefill_replicas(*o.prefill_replicas);
  if (o.fleet_copies) load->set_fleet_copies(*o.fleet_copies);
  if (o.decode_pool.empty() && (o.decode_tp || o.decode_pp || o.decode_replicas ||
                                !o.decode_dtype.empty() || !o.decode_kv_dtype.empty())) {
    throw_input_error(Origin{}, "--decode-pool",
                      "the --decode-* flags describe the decode pool: name it with --decode-pool");
  }
  if (!o.decode_pool.empty()) {
    auto* pool = job.mutable_decode_pool();
    pool->set_pool(o.decode_pool);
    if (o.decode_tp) pool->set_tp(*o.decode_tp);
    if (o.decode_pp) pool->set_pp(*o.decode_pp);
    if (o.decode_replicas) pool->set_replicas(*o.decode_replicas);
    if (!o.decode_dtype.empty()) pool->set_dtype(dtype_flag(o.decode_dtype, "--decode-dtype"));
    if (!o.decode_kv_dtype.empty()) {
      pool->set_kv_dtype(dtype_flag(o.decode_kv_dtype, "--decode-kv-dtype"));
    }
  }
  if (o.seed) load->set_seed(*o.seed);
  if (!o.input_lengths.empty()) load->set_input_lengths(o.input_lengths);
  if (!o.output_lengths.empty()) load->set_output_lengths(o.output_lengths);
  load->set_log_iterations(o.log_iterations);
  if (o.cluster_power_cap_w) {
    if (!(*o.cluster_power_cap_w > 0)) {
      throw_input_error(
          Origin{}, "--cluster-power-cap-w",
          fmt::format("must be a positive number of W (got {})", *o.cluster_power_cap_w));
    }
    load->set_cluster_power_cap_w(*o.cluster_power_cap_w);
  }
  load->set_check_kv(o.check_kv);
  return true;
}

}  // namespace kcsim::cli

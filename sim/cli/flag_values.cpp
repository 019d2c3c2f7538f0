#include "sim/cli/flag_values.hpp"

#include <map>
#include <string>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/field_checks.hpp"

namespace kcsim::cli {
namespace {

// The flag behind each field a TrainingJob or ServingJob built from flags sets.
const std::map<std::string, std::string, std::less<>>& flag_of_field() {
  static const std::map<std::string, std::string, std::less<>> flags = {
      {"global_batch", "--global-batch"},
      {"micro_batch", "--micro-batch"},
      {"seq_len", "--seq-len"},
      {"run_tokens", "--run-tokens"},
      {"devices", "--devices"},
      {"plan.tp", "--tp"},
      {"plan.pp", "--pp"},
      {"plan.ep", "--ep"},
      {"plan.virtual_stages", "--virtual-stages"},
      {"plan.zero_stage", "--zero"},
      {"model_overrides.layers", "--layers"},
      {"model_overrides.hidden", "--hidden"},
      {"model_overrides.heads", "--heads"},
      {"model_overrides.kv_heads", "--kv-heads"},
      {"model_overrides.ffn_hidden", "--ffn"},
      {"model_overrides.vocab", "--vocab"},
      {"device_power_cap_w", "--power-cap-w"},
      {"device_clock_mhz", "--clock-mhz"},
      {"runtime.profile", "--runtime"},
      {"tp", "--tp"},
      {"pp", "--pp"},
      {"replicas", "--replicas"},
      {"batch_size", "--batch-size"},
      {"prompt_tokens", "--prompt-tokens"},
      {"output_tokens", "--output-tokens"},
      {"load.rate_per_s", "--rate"},
      {"load.trace", "--trace"},
      {"load.requests", "--requests"},
      {"load.duration_s", "--duration-s"},
      {"load.arrival_cv", "--arrival-cv"},
      {"load.slo_ttft_s", "--slo-ttft-s"},
      {"load.slo_tpot_s", "--slo-tpot-s"},
      {"load.block_tokens", "--block-size"},
      {"load.chunk_tokens", "--chunk-tokens"},
      {"load.max_batch", "--max-batch"},
      {"load.prefill_replicas", "--prefill-replicas"},
      {"load.seed", "--seed"},
      {"load.input_lengths", "--input-lengths"},
      {"load.output_lengths", "--output-lengths"},
      {"load.cluster_power_cap_w", "--cluster-power-cap-w"},
      {"load.fleet_copies", "--fleet-copies"},
      {"decode_pool.tp", "--decode-tp"},
      {"decode_pool.pp", "--decode-pp"},
      {"decode_pool.replicas", "--decode-replicas"},
  };
  return flags;
}

}  // namespace

Dtype dtype_flag(const std::string& value, const char* flag) {
  auto dtype = parse_dtype(value);
  if (!dtype) {
    throw_input_error(Origin{}, flag,
                      fmt::format("unknown dtype \"{}\"; use fp32, tf32, bf16, fp16, fp8, int8 "
                                  "or int4",
                                  value));
  }
  return *dtype;
}

void check_flag_values(const google::protobuf::Message& job) {
  config::check_fields(
      job, [](std::string_view) { return Origin{}; },
      [](std::string_view path) {
        auto it = flag_of_field().find(path);
        return it == flag_of_field().end() ? std::string() : it->second;
      });
}

}  // namespace kcsim::cli

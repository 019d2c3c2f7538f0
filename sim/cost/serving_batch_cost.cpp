#include "sim/cost/serving_batch_cost.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

#include "sim/cost/collectives.hpp"
#include "workloads/transformer_ops.hpp"

namespace kcsim {
namespace {

bool is_attention_core(std::string_view name) {
  return name == "kv_read" || name == "attn_score" || name == "attn_softmax" ||
         name == "attn_dropout" || name == "attn_context";
}

std::vector<Op> layer_part(const ModelShape& m, const PassShape& p, bool attention_core) {
  std::vector<Op> ops = layer_forward_ops(m, p);
  std::erase_if(ops, [&](const Op& op) { return is_attention_core(op.name) != attention_core; });
  return ops;
}

}  // namespace

int64_t decode_mean_context(const MixedBatch& batch) {
  if (batch.decode_sequences <= 0) return 0;
  auto mean = static_cast<int64_t>(std::llround(static_cast<double>(batch.decode_context_sum) /
                                                static_cast<double>(batch.decode_sequences)));
  return std::max<int64_t>(mean, 2);
}

BatchCostModel::BatchCostModel(const ClusterModel& cluster, const ServingSpec& spec)
    : cluster_(cluster),
      spec_(spec),
      exec_(spec.runtime.execution(cluster.chip, spec.state, cluster.host_speed(), spec.dtype)) {}

const OpCost& BatchCostModel::dense(int64_t tokens) {
  auto it = dense_.find(tokens);
  if (it != dense_.end()) return it->second;
  const auto& m = spec_.model;
  PassShape pass = serving_pass_shape(spec_, tokens, 1, 1);
  OpCost cost = ops_cost(cluster_.chip, embedding_forward_ops(m, pass), spec_.dtype, exec_);
  cost += ops_cost(cluster_.chip, layer_part(m, pass, false), spec_.dtype, exec_)
              .scaled(static_cast<double>(m.layers));
  return dense_.emplace(tokens, cost).first->second;
}

const OpCost& BatchCostModel::head(int64_t sequences) {
  auto it = head_.find(sequences);
  if (it != head_.end()) return it->second;
  PassShape pass = serving_pass_shape(spec_, sequences, 1, 1);
  OpCost cost =
      ops_cost(cluster_.chip, head_forward_ops(spec_.model, pass, false), spec_.dtype, exec_);
  cost += serving_sampling_cost(cluster_, spec_, exec_, sequences);
  return head_.emplace(sequences, cost).first->second;
}

OpCost BatchCostModel::attention(int64_t sequences, int64_t new_tokens, int64_t context) {
  // 21 bits each: a key for any batch below 2M sequences and 2M tokens of context.
  uint64_t key = (static_cast<uint64_t>(sequences) << 42) ^
                 (static_cast<uint64_t>(new_tokens) << 21) ^ static_cast<uint64_t>(context);
  auto it = attention_.find(key);
  if (it != attention_.end()) return it->second;
  if (attention_.size() > 4'000'000) attention_.clear();  // bound the cache's memory
  PassShape pass = serving_pass_shape(spec_, sequences, new_tokens, context);
  OpCost cost = ops_cost(cluster_.chip, layer_part(spec_.model, pass, true), spec_.dtype, exec_)
                    .scaled(static_cast<double>(spec_.model.layers));
  attention_.emplace(key, cost);
  return cost;
}

double BatchCostModel::tp_comm_s(int64_t tokens) {
  if (spec_.tp <= 1) return 0;
  auto it = tp_comm_.find(tokens);
  if (it != tp_comm_.end()) return it->second;
  return tp_comm_.emplace(tokens, serving_tp_comm_s(cluster_, spec_, tokens)).first->second;
}

double BatchCostModel::pp_comm_s(int64_t tokens) {
  if (spec_.pp <= 1) return 0;
  auto it = pp_comm_.find(tokens);
  if (it != pp_comm_.end()) return it->second;
  return pp_comm_.emplace(tokens, serving_pipeline_send_s(cluster_, spec_, tokens)).first->second;
}

IterationCost BatchCostModel::cost(const MixedBatch& batch) {
  int64_t tokens = batch.decode_sequences;
  for (const auto& [n, c] : batch.prefill_chunks) tokens += n;
  int64_t sequences = batch.decode_sequences + static_cast<int64_t>(batch.prefill_chunks.size());
  IterationCost cost;
  cost.state = spec_.state;
  cost.host_s = spec_.runtime.step_overhead_us * 1e-6 / cluster_.host_speed();
  if (tokens == 0) return cost;
  cost.compute = dense(tokens);
  // Identical prompt chunks share one attention kernel, as a uniform batch does.
  if (batch.prefill_chunks.size() == 1) {
    cost.compute += attention(1, batch.prefill_chunks[0].first, batch.prefill_chunks[0].second);
  } else if (!batch.prefill_chunks.empty()) {
    std::map<std::pair<int64_t, int64_t>, int64_t> groups;
    for (const auto& chunk : batch.prefill_chunks) ++groups[chunk];
    for (const auto& [chunk, count] : groups) {
      cost.compute += attention(count, chunk.first, chunk.second);
    }
  }
  if (batch.decode_sequences > 0) {
    cost.compute += attention(batch.decode_sequences, 1, decode_mean_context(batch));
  }
  cost.compute += head(sequences);
  cost.tp_comm_s = tp_comm_s(tokens);
  cost.pp_comm_s = pp_comm_s(tokens);
  return cost;
}

}  // namespace kcsim

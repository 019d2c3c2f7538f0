#include "sim/jobs/chakra_export.hpp"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "sim/cost/chakra_collective.hpp"
#include "sim/cost/pipeline_schedule.hpp"

namespace kcsim {
namespace {

constexpr const char* kChakraVersion = "0.0.4";

void add_int(chakra::Node& node, const char* name, int64_t value) {
  auto* attr = node.add_attr();
  attr->set_name(name);
  attr->set_int64_val(value);
}

// Builds one device's graph node by node. `chain` is the node the device last finished in
// program order: the next blocking node depends on it.
class RankGraph {
 public:
  uint64_t compute(const std::string& name, double seconds) {
    chakra::Node& node = add(name, chakra::COMP_NODE, {chain_});
    node.set_duration_micros(static_cast<uint64_t>(std::llround(seconds * 1e6)));
    add_int(node, kDurationNsAttribute, std::llround(seconds * 1e9));
    return chain_ = node.id();
  }

  // A collective in `group` that the device waits for (`blocking`) or that runs beside what
  // follows (then nothing waits for it in program order).
  uint64_t collective(const std::string& name, const std::string& group, Collective kind,
                      double bytes, bool blocking = true) {
    chakra::Node& node = add(name, chakra::COMM_COLL_NODE, {chain_});
    add_int(node, "comm_type", chakra_comm_type(kind));
    add_int(node, "comm_size", std::llround(bytes));
    auto* pg = node.add_attr();
    pg->set_name("pg_name");
    pg->set_string_val(group);
    if (blocking) chain_ = node.id();
    return node.id();
  }

  void receive(const std::string& name, int src, int dst, int64_t tag, double bytes) {
    chakra::Node& node = add(name, chakra::COMM_RECV_NODE, {chain_});
    p2p(node, src, dst, tag, bytes);
    chain_ = node.id();
  }

  void send(const std::string& name, int src, int dst, int64_t tag, double bytes) {
    chakra::Node& node = add(name, chakra::COMM_SEND_NODE, {chain_});
    p2p(node, src, dst, tag, bytes);
    sends_.push_back(node.id());
  }

  // A step of no time after which the device goes on: it waits for the last blocking node and
  // for `beside` (ctrl_deps), nodes that ran beside it.
  void gather_up(const std::string& name, const std::vector<uint64_t>& beside) {
    pending_ctrl_.insert(pending_ctrl_.end(), beside.begin(), beside.end());
    compute(name, 0);
  }

  // The next blocking node also waits for `extra` (ctrl_deps) and every send posted so far.
  void join(const std::vector<uint64_t>& extra) {
    pending_ctrl_ = extra;
    pending_ctrl_.insert(pending_ctrl_.end(), sends_.begin(), sends_.end());
    sends_.clear();
  }

  std::vector<chakra::Node> take() { return std::move(nodes_); }

 private:
  chakra::Node& add(const std::string& name, chakra::NodeType type,
                    std::initializer_list<uint64_t> data) {
    chakra::Node& node = nodes_.emplace_back();
    node.set_id(next_id_++);
    node.set_name(name);
    node.set_type(type);
    for (uint64_t dep : data) {
      if (dep != kNone) node.add_data_deps(dep);
    }
    for (uint64_t dep : pending_ctrl_) node.add_ctrl_deps(dep);
    pending_ctrl_.clear();
    return node;
  }

  static void p2p(chakra::Node& node, int src, int dst, int64_t tag, double bytes) {
    add_int(node, "comm_src", src);
    add_int(node, "comm_dst", dst);
    add_int(node, "comm_tag", tag);
    add_int(node, "comm_size", std::llround(bytes));
  }

  static constexpr uint64_t kNone = ~uint64_t{0};
  std::vector<chakra::Node> nodes_;
  uint64_t next_id_ = 0;
  uint64_t chain_ = kNone;
  std::vector<uint64_t> sends_, pending_ctrl_;
};

// The process group of `cost` that `rank` belongs to: `prefix` and its first member.
std::string group_name(const char* prefix, const CollectiveCost& cost, int rank) {
  int span = cost.stride * cost.group.size;
  return fmt::format("{}{}", prefix, rank / span * span + rank % cost.stride);
}

bool runs(const CollectiveCost& cost) { return cost.count > 0 && cost.group.size > 1; }

}  // namespace

std::vector<chakra::Node> training_rank_nodes(const TrainingSpec& spec, const TrainingCosts& c,
                                              int rank) {
  const int tp = spec.setup.tp, stages = spec.setup.pp;
  const int chunks = spec.setup.virtual_stages;
  const int virtual_stages = stages * chunks;
  const int micro_batches = static_cast<int>(spec.setup.micro_batches);
  const int tp_rank = rank % tp, stage = rank / tp % stages, replica = rank / (tp * stages);
  auto holder = [&](int v) { return (replica * stages + v % stages) * tp + tp_rank; };
  // Tags tell a micro-batch's activations (0) and gradients (1) apart between the same pair.
  auto tag = [&](int direction, int v, int i) {
    return (static_cast<int64_t>(direction) * virtual_stages + v) * micro_batches + i;
  };
  RankGraph g;
  auto collectives = [&](const char* what, const char* prefix, const CollectiveCost& cost, int v,
                         int i) {
    if (!runs(cost)) return;
    std::string group = group_name(prefix, cost, rank);
    for (int k = 0; k < cost.count / chunks; ++k) {
      g.collective(fmt::format("{} mb{} vs{} #{}", what, i, v, k), group, cost.kind, cost.bytes);
    }
  };
  // A scattered pipeline send's slices, all-gathered over the tensor-parallel group.
  auto gather_slices = [&](const std::string& name) {
    if (c.pp_gather_s > 0) {
      g.collective(name, group_name("tp", c.tp_fwd, rank), Collective::AllGather, c.pp_bytes * tp);
    }
  };
  const bool data_parallel = spec.setup.dp > 1;
  const std::string dp_group = group_name("dp", c.dp_grads, rank);
  std::vector<uint64_t> hidden;

  auto steps = pipeline_schedule(stage, stages, chunks, micro_batches);
  for (size_t k = 0; k < steps.size(); ++k) {
    const auto& s = steps[k];
    const int v = s.chunk * stages + stage, i = s.micro_batch;
    if (s.forward) {
      if (v > 0) {
        g.receive(fmt::format("receive activations mb{} vs{}", i, v), holder(v - 1), rank,
                  tag(0, v, i), c.pp_bytes);
        gather_slices(fmt::format("gather activations mb{} vs{}", i, v));
      }
      g.compute(fmt::format("forward mb{} vs{}", i, v),
                c.chunk_fwd_s(stage, stages, s.chunk, chunks));
      collectives("tp forward", "tp", c.tp_fwd, v, i);
      collectives("ep forward", "ep", c.ep_fwd, v, i);
      if (v < virtual_stages - 1) {
        g.send(fmt::format("send activations mb{} vs{}", i, v), rank, holder(v + 1),
               tag(0, v + 1, i), c.pp_bytes);
      }
      continue;
    }
    if (v < virtual_stages - 1) {
      g.receive(fmt::format("receive gradients mb{} vs{}", i, v), holder(v + 1), rank, tag(1, v, i),
                c.pp_bytes);
      gather_slices(fmt::format("gather gradients mb{} vs{}", i, v));
    }
    bool last = k + 1 == steps.size();
    if (last && data_parallel && runs(c.dp_grads)) {
      // All gradient buckets but the last reduce while the last backward runs.
      double share = 1.0 - 1.0 / c.grad_buckets;
      hidden.push_back(g.collective("dp gradients (overlapped)", dp_group, c.dp_grads.kind,
                                    c.dp_grads.count * c.dp_grads.bytes * share, false));
    }
    // The collectives the stack runs beside the backward's GEMMs start with it; the device goes
    // on when both are done.
    std::vector<uint64_t> beside;
    if (runs(c.tp_bwd_overlapped)) {
      const CollectiveCost& o = c.tp_bwd_overlapped;
      std::string group = group_name("tp", o, rank);
      for (int n = 0; n < o.count / chunks; ++n) {
        beside.push_back(
            g.collective(fmt::format("tp backward (overlapped) mb{} vs{} #{}", i, v, n), group,
                         o.kind, o.bytes, false));
      }
    }
    g.compute(fmt::format("backward mb{} vs{}", i, v),
              c.chunk_bwd_s(stage, stages, s.chunk, chunks));
    if (!beside.empty()) {
      g.gather_up(fmt::format("backward mb{} vs{} and its overlapped collectives", i, v), beside);
    }
    collectives("tp backward", "tp", c.tp_bwd, v, i);
    collectives("ep backward", "ep", c.ep_bwd, v, i);
    if (v > 0) {
      g.send(fmt::format("send gradients mb{} vs{}", i, v), rank, holder(v - 1), tag(1, v - 1, i),
             c.pp_bytes);
    }
  }
  // The pipeline drains, then the last gradient bucket and the weights' all-gather run.
  g.join(hidden);
  if (data_parallel) {
    if (runs(c.dp_grads)) {
      g.collective("dp gradients (last bucket)", dp_group, c.dp_grads.kind,
                   c.dp_grads.count * c.dp_grads.bytes / c.grad_buckets);
    }
    if (runs(c.dp_weights)) {
      g.collective("dp weights", dp_group, c.dp_weights.kind,
                   c.dp_weights.count * c.dp_weights.bytes);
    }
  }
  if (c.zero3_gather_excess_s > 0) g.compute("zero-3 gathers not hidden", c.zero3_gather_excess_s);
  g.compute("optimizer", c.optimizer_s);
  return g.take();
}

ChakraExport export_training_chakra(const ClusterModel& cluster, const TrainingSpec& spec,
                                    const std::string& prefix) {
  auto folder = std::filesystem::absolute(prefix).parent_path();
  if (!std::filesystem::is_directory(folder)) {
    throw InputError(
        fmt::format("--out: {}: the folder {} does not exist", prefix, folder.string()));
  }
  std::vector<OutputPath> files;  // every rank's file checked before the first is written
  for (int rank = 0; rank < spec.devices(); ++rank) {
    files.push_back({fmt::format("{}.{}.et", prefix, rank), "--out"});
  }
  check_outputs(files);
  TrainingCosts costs = training_costs(cluster, spec);
  chakra::GlobalMetadata metadata;
  metadata.set_version(kChakraVersion);
  ChakraExport out;
  out.ranks = spec.devices();
  auto* world = metadata.add_attr();
  world->set_name(kWorldSizeAttribute);
  world->set_int64_val(out.ranks);
  for (int rank = 0; rank < out.ranks; ++rank) {
    auto nodes = training_rank_nodes(spec, costs, rank);
    out.nodes += static_cast<long long>(nodes.size());
    auto file = fmt::format("{}.{}.et", prefix, rank);
    write_chakra_file(file, metadata, nodes);
    out.files.push_back(file);
  }
  out.removed = remove_chakra_ranks_from(prefix, out.ranks);
  return out;
}

}  // namespace kcsim

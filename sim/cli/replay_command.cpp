// `kcsim replay`: a Chakra execution trace on a cluster, on the event engine.
#include <algorithm>

#include <fmt/format.h>

#include "analysis/json_writer.hpp"
#include "analysis/table.hpp"
#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/json_output.hpp"
#include "sim/cli/support.hpp"
#include "sim/engines/event/event_engine.hpp"

namespace kcsim::cli {

int replay(const std::string& prefix, const std::string& cluster_name, int nodes,
           const std::string& trace_out, const Common& common, std::ostream& out) {
  auto catalog = catalog_of(common);
  auto traces = read_chakra_traces(prefix);
  if (!trace_out.empty()) {
    std::vector<std::filesystem::path> inputs;
    for (const auto& trace : traces) inputs.push_back(trace.file);
    check_outputs({{trace_out, "--trace-out"}}, inputs);
  }
  config::Cluster config = load_cluster(catalog, cluster_name);
  if (nodes < 0) throw_input_error(Origin{}, "--nodes", "must be positive");
  if (nodes > 0) {
    config.set_nodes(nodes);
  } else if (!is_cluster_file(cluster_name)) {
    // A catalog cluster grows to hold the trace, as `train` sizes it to --devices.
    int per_node = std::max(1, config.node().devices_per_node());
    int ranks = static_cast<int>(traces.size());
    config.set_nodes(std::max(config.nodes(), (ranks + per_node - 1) / per_node));
  }
  ClusterModel cluster = resolve_cluster(config, catalog);
  ReplayResult r = event_engine().replay(traces, cluster, prefix, trace_out);
  if (common.json) {
    print_json(out, to_json(r));
    return 0;
  }
  out << fmt::format("replay {} ({} ranks, {} nodes) on {} x {} [{}], event engine ({})\n", r.trace,
                     r.ranks, r.nodes, cluster.devices(), r.chip, r.cluster, r.network_model);
  out << fmt::format("  step time             {:.4f} ms (the slowest rank)\n", r.step_time_s * 1e3);
  out << fmt::format(
      "  energy                {:.3f} J at the facility ({:.1f} kW average IT power, "
      "PUE {:.2f})\n",
      r.energy.facility_j, r.energy.avg_it_power_w / 1e3, r.energy.pue);
  Table table({"rank", "compute ms", "exposed comm ms", "idle ms"});
  for (const auto& t : r.rank_times) {
    table.add_row({std::to_string(t.rank), fmt::format("{:.3f}", t.compute_s * 1e3),
                   fmt::format("{:.3f}", t.exposed_comm_s * 1e3),
                   fmt::format("{:.3f}", t.idle_s * 1e3)});
  }
  out << "\n" << table.str();
  for (const auto& link : r.busiest_links) {
    out << fmt::format("  busy link {} {:.1f} % ({:.2f} GB)\n", link.name, link.utilization * 100,
                       link.bytes / 1e9);
  }
  return 0;
}

}  // namespace kcsim::cli

#include "sim/engines/event/serving_loop_json.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace kcsim::event {
namespace {

// Writes one table of `rows`, a column per field. Each field is a name and a member pointer.
template <class Row, class... Fields>
Json table(const std::vector<Row>& rows, const Fields&... fields) {
  Json out = Json::object();
  auto column = [&](const auto& field) {
    Json values = Json::array();
    for (const Row& row : rows) values.push_back(row.*(field.second));
    out[field.first] = std::move(values);
  };
  (column(fields), ...);
  return out;
}

// Reads a table written by table() back into `rows`, every column the same length.
template <class Row, class... Fields>
void read_table(const Json& in, const char* name, std::vector<Row>& rows, const Fields&... fields) {
  rows.clear();
  bool sized = false;
  auto column = [&](const auto& field) {
    const Json& values = in.at(field.first);
    if (!sized) {
      rows.resize(values.size());
      sized = true;
    } else if (values.size() != rows.size()) {
      throw std::runtime_error(std::string("serving loop output: table ") + name + " column " +
                               field.first + " has " + std::to_string(values.size()) +
                               " entries, not " + std::to_string(rows.size()));
    }
    for (size_t i = 0; i < rows.size(); ++i) values[i].get_to(rows[i].*(field.second));
  };
  (column(fields), ...);
}

template <class Row, class T>
std::pair<const char*, T Row::*> field(const char* name, T Row::*member) {
  return {name, member};
}

// The tables' columns, listed once for writing and reading.
template <class Apply>
auto request_columns(Apply apply) {
  using R = RequestRecord;
  return apply(field("id", &R::id), field("arrival_s", &R::arrival_s),
               field("first_token_s", &R::first_token_s), field("finish_s", &R::finish_s),
               field("input_tokens", &R::input_tokens), field("output_tokens", &R::output_tokens),
               field("replica", &R::replica), field("decode_replica", &R::decode_replica),
               field("preemptions", &R::preemptions), field("rejected", &R::rejected));
}

template <class Apply>
auto replica_columns(Apply apply) {
  using U = ReplicaUse;
  return apply(
      field("replica", &U::replica), field("pool", &U::pool), field("iterations", &U::iterations),
      field("busy_s", &U::busy_s), field("compute_busy_s", &U::compute_busy_s),
      field("memory_busy_s", &U::memory_busy_s),
      field("kv_utilization_mean", &U::kv_utilization_mean),
      field("device_energy_j", &U::device_energy_j), field("memory_energy_j", &U::memory_energy_j));
}

template <class Apply>
auto iteration_columns(Apply apply) {
  using I = IterationUse;
  return apply(field("replica", &I::replica), field("start_s", &I::start_s),
               field("duration_s", &I::duration_s),
               field("compute_utilization", &I::compute_utilization),
               field("memory_utilization", &I::memory_utilization),
               field("sequences", &I::sequences), field("prefill_tokens", &I::prefill_tokens),
               field("dvfs_speed", &I::dvfs_speed), field("device_power_w", &I::device_power_w));
}

template <class Apply>
auto sample_columns(Apply apply) {
  using S = ClusterPowerSample;
  return apply(field("time_s", &S::time_s), field("power_w", &S::power_w));
}

}  // namespace

Json to_json(const ServingLoopOutput& output) {
  const ServingLoadResult& load = output.load;
  auto write = [](const auto& rows) {
    return [&rows](const auto&... fields) { return table(rows, fields...); };
  };
  Json j;
  j["simulated_time_s"] = load.simulated_time_s;
  j["iterations"] = load.iterations;
  j["in_system_integral_s"] = output.in_system_integral;
  j["batch_sequences_sum"] = output.batch_sequences_sum;
  j["kv_transfer_bytes"] = load.kv_transfer_bytes;
  j["kv_conversion_bytes"] = load.kv_conversion_bytes;
  j["side_power_peak_w"] = output.side_power_peak_w;
  j["tp_allreduce_bytes"] = load.tp_allreduce_bytes;
  j["link_bytes_in_server"] = load.link_bytes_in_server;
  j["link_bytes_between_servers"] = load.link_bytes_between_servers;
  j["link_activity_in_server"] = output.links.in_server;
  j["link_activity_between_servers"] = output.links.between_servers;
  j["cluster_power_cap_w"] = load.cluster_power_cap_w;
  j["cluster_power_peak_w"] = load.cluster_power_peak_w;
  j["cap_throttled_iterations"] = load.cap_throttled_iterations;
  j["requests"] = request_columns(write(load.requests));
  j["replicas"] = replica_columns(write(load.replica_use));
  j["iterations_log"] = iteration_columns(write(load.iteration_log));
  j["power_samples"] = sample_columns(write(load.power_samples));
  return j;
}

ServingLoopOutput serving_loop_from_json(const Json& j) {
  ServingLoopOutput output;
  ServingLoadResult& load = output.load;
  auto read = [&j](const char* name, auto& rows) {
    return [&j, name, &rows](const auto&... fields) {
      read_table(j.at(name), name, rows, fields...);
      return 0;
    };
  };
  j.at("simulated_time_s").get_to(load.simulated_time_s);
  j.at("iterations").get_to(load.iterations);
  j.at("in_system_integral_s").get_to(output.in_system_integral);
  j.at("batch_sequences_sum").get_to(output.batch_sequences_sum);
  j.at("kv_transfer_bytes").get_to(load.kv_transfer_bytes);
  j.at("kv_conversion_bytes").get_to(load.kv_conversion_bytes);
  j.at("side_power_peak_w").get_to(output.side_power_peak_w);
  j.at("tp_allreduce_bytes").get_to(load.tp_allreduce_bytes);
  j.at("link_bytes_in_server").get_to(load.link_bytes_in_server);
  j.at("link_bytes_between_servers").get_to(load.link_bytes_between_servers);
  j.at("link_activity_in_server").get_to(output.links.in_server);
  j.at("link_activity_between_servers").get_to(output.links.between_servers);
  j.at("cluster_power_cap_w").get_to(load.cluster_power_cap_w);
  j.at("cluster_power_peak_w").get_to(load.cluster_power_peak_w);
  j.at("cap_throttled_iterations").get_to(load.cap_throttled_iterations);
  request_columns(read("requests", load.requests));
  replica_columns(read("replicas", load.replica_use));
  iteration_columns(read("iterations_log", load.iteration_log));
  sample_columns(read("power_samples", load.power_samples));
  return output;
}

}  // namespace kcsim::event

#include "sim/sweep/resume.hpp"

#include <fmt/format.h>

#include "analysis/hdf5_table.hpp"
#include "configs/loader/errors.hpp"

namespace kcsim::sweep {

std::string axes_text(const SweepPlan& plan) {
  std::string text;
  for (const auto& axis : plan.axes) text += axis.path.text + "\n";
  return text;
}

std::string sweep_fingerprint(const SweepPlan& plan) {
  return ContentHash().add(plan.name).add(axes_text(plan)).add(plan.base.engine()).hex();
}

Records records_in_output(const SweepPlan& plan, const std::filesystem::path& out) {
  Records records;
  if (!std::filesystem::exists(out)) return records;
  SweepTable table = read_hdf5_table(out);
  // By what the file says of itself, so that a file of an older kcsim is still known.
  if (table.attribute("sweep_name") != plan.name || table.attribute("axes") != axes_text(plan) ||
      table.attribute("engine") != plan.base.engine()) {
    throw InputError(fmt::format(
        "{}: file: it holds the results of another sweep (its name, axes or engine differ); pass "
        "--no-resume to replace it, or choose another --out",
        out.string()));
  }
  std::map<size_t, Json> by_point;
  for (auto& row : rows_from_table(table)) {
    size_t index = static_cast<size_t>(row.at("point").get<double>());
    auto& entry = by_point[index];
    if (entry.is_null()) entry = Json{{"point", index}, {"rows", Json::array()}};
    entry["rows"].push_back(std::move(row));
  }
  for (auto& [index, record] : by_point) records[index] = parse_record(record.dump());
  for (auto& entry : table.series) {
    auto it = records.find(entry.point);
    if (it != records.end()) it->second.series.push_back({entry.run, std::move(entry.series)});
  }
  return records;
}

size_t drop_changed(Records& records, const SweepPlan& plan, const InputHasher& inputs) {
  size_t dropped = 0;
  for (auto it = records.begin(); it != records.end();) {
    if (it->first >= plan.points || it->second.inputs_hash != inputs.point(it->first)) {
      it = records.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

}  // namespace kcsim::sweep

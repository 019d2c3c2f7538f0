#include "sim/sweep/sweep_plan.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"
#include "configs/loader/text_files.hpp"
#include "configs/loader/text_loader.hpp"
#include "sweep.pb.h"

namespace kcsim::sweep {
namespace {

// More points than this is a typo, not a plan.
constexpr double kMaxPoints = 1e9;
constexpr size_t kMaxRangeValues = 1000000;

}  // namespace

std::vector<std::string> range_values(double start, double stop, double step, double factor) {
  std::vector<std::string> values;
  if (!std::isfinite(start) || !std::isfinite(stop)) {
    throw std::invalid_argument("start and stop must be finite numbers");
  }
  if ((step != 0) == (factor != 0)) {
    throw std::invalid_argument("give exactly one of step and factor");
  }
  if (step != 0) {
    if ((stop - start) / step < 0) {
      throw std::invalid_argument(
          fmt::format("step {} never goes from {} to {}", step, start, stop));
    }
    // Both ends included; the slack absorbs rounding in steps like 0.1.
    double count = std::floor((stop - start) / step + 1e-9) + 1;
    if (count > kMaxRangeValues) throw std::invalid_argument("more than a million values");
    for (size_t i = 0; i < static_cast<size_t>(count); ++i) {
      values.push_back(fmt::format("{}", start + static_cast<double>(i) * step));
    }
    return values;
  }
  if (start == 0 || factor <= 0 || factor == 1 || (stop / start < 1) != (factor < 1) ||
      stop / start <= 0) {
    throw std::invalid_argument(
        fmt::format("factor {} never goes from {} to {}", factor, start, stop));
  }
  double value = start;
  auto within = [&](double v) {
    return factor > 1 ? std::fabs(v) <= std::fabs(stop) * (1 + 1e-12)
                      : std::fabs(v) >= std::fabs(stop) * (1 - 1e-12);
  };
  while (within(value)) {
    if (values.size() >= kMaxRangeValues) throw std::invalid_argument("more than a million values");
    values.push_back(fmt::format("{}", value));
    value *= factor;
  }
  return values;
}

std::vector<const std::string*> SweepPlan::values_of(size_t index) const {
  // Mixed-radix digits of the index, the last dimension fastest.
  std::vector<size_t> digit(dimension_sizes.size());
  for (size_t d = dimension_sizes.size(); d-- > 0;) {
    digit[d] = index % dimension_sizes[d];
    index /= dimension_sizes[d];
  }
  std::vector<const std::string*> values;
  values.reserve(axes.size());
  for (const auto& axis : axes) values.push_back(&axis.values[digit[axis.dimension]]);
  return values;
}

config::Scenario SweepPlan::scenario_of(size_t index) const {
  config::Scenario scenario = base;
  auto values = values_of(index);
  for (size_t a = 0; a < axes.size(); ++a) {
    try {
      set_field(&scenario, axes[a].path, *values[a]);
    } catch (const std::invalid_argument& e) {
      // Each axis fits the base alone; applied in order, an earlier one can change what a
      // later one's path reaches (a whole list replaced, then an index into it).
      throw InputError(fmt::format("{}: point {}: axes[{}]: {}", file, index, a, e.what()));
    }
  }
  return scenario;
}

SweepPlan load_sweep(const std::filesystem::path& path, const std::string& engine) {
  config::Sweep sweep;
  auto file = config::LoadedFile::parse(path, &sweep);
  SweepPlan plan;
  plan.file = path.string();
  plan.name = sweep.name().empty() ? path.stem().string() : sweep.name();
  plan.description = sweep.description();
  plan.text = config::read_text_file(path);

  if (sweep.has_base() == sweep.has_base_file()) {
    throw_input_error(file.locate(sweep.has_base() ? "base_file" : ""), "base, base_file",
                      "give the base scenario inline (base) or as a file (base_file), not both");
  }
  if (sweep.has_base()) {
    plan.base = sweep.base();
  } else {
    std::filesystem::path base_path = sweep.base_file();
    if (base_path.is_relative()) base_path = path.parent_path() / base_path;
    std::error_code error;  // a name too long for the file system is no file either
    if (!std::filesystem::is_regular_file(base_path, error)) {
      throw_input_error(file.locate("base_file"), "base_file",
                        fmt::format("no file at {}", base_path.string()));
    }
    config::LoadedFile::parse(base_path, &plan.base);
    plan.base_file = base_path.string();
    plan.text += "\n";
    plan.text += config::read_text_file(base_path);
  }
  if (!engine.empty()) plan.base.set_engine(engine);

  std::map<std::string, int> zip_dimension;  // zip label -> dimension
  std::map<std::string, size_t> seen;        // field path -> axis
  for (int i = 0; i < sweep.axes_size(); ++i) {
    const config::SweepAxis& in = sweep.axes(i);
    std::string at = fmt::format("axes[{}]", i);
    Axis axis;
    try {
      axis.path = resolve_field_path(config::Scenario::descriptor(), in.field());
    } catch (const std::invalid_argument& e) {
      throw_input_error(file.locate(at + ".field"), at + ".field", e.what());
    }
    if (auto it = seen.find(in.field()); it != seen.end()) {
      throw_input_error(file.locate(at + ".field"), at + ".field",
                        fmt::format("\"{}\" is already axes[{}]", in.field(), it->second));
    }
    seen[in.field()] = static_cast<size_t>(i);
    if (in.values_size() > 0 && in.has_range()) {
      throw_input_error(file.locate(at + ".range"), at, "give values or a range, not both");
    }
    if (in.has_range()) {
      const auto& r = in.range();
      try {
        axis.values = range_values(r.start(), r.stop(), r.step(), r.factor());
      } catch (const std::invalid_argument& e) {
        throw_input_error(file.locate(at + ".range"), at + ".range", e.what());
      }
    } else {
      axis.values.assign(in.values().begin(), in.values().end());
    }
    if (axis.values.empty()) {
      throw_input_error(file.locate(at), at, "the axis has no values");
    }
    for (size_t v = 0; v < axis.values.size(); ++v) {
      std::string why = check_field_value(axis.path, axis.values[v]);
      if (!why.empty()) {
        std::string where = in.has_range() ? at + ".range" : fmt::format("{}.values[{}]", at, v);
        throw_input_error(file.locate(where), at + " (" + in.field() + ")", why);
      }
    }
    if (in.has_zip()) {
      auto [it, fresh] =
          zip_dimension.emplace(in.zip(), static_cast<int>(plan.dimension_sizes.size()));
      if (fresh) {
        plan.dimension_sizes.push_back(axis.values.size());
      } else if (plan.dimension_sizes[it->second] != axis.values.size()) {
        throw_input_error(
            file.locate(at), at + ".zip",
            fmt::format("zip \"{}\" pairs axes of {} and {} values; zipped axes need "
                        "the same number",
                        in.zip(), plan.dimension_sizes[it->second], axis.values.size()));
      }
      axis.dimension = it->second;
    } else {
      axis.dimension = static_cast<int>(plan.dimension_sizes.size());
      plan.dimension_sizes.push_back(axis.values.size());
    }
    plan.axes.push_back(std::move(axis));
  }
  double points = 1;
  for (size_t size : plan.dimension_sizes) points *= static_cast<double>(size);
  if (points > kMaxPoints) {
    throw_input_error(
        file.locate("axes"), "axes",
        fmt::format("{:.3g} points is more than the {:.0g} a sweep may have", points, kMaxPoints));
  }
  plan.points = static_cast<size_t>(points);
  // Every axis must apply to the base (an index past the end shows only when written).
  for (size_t a = 0; a < plan.axes.size(); ++a) {
    config::Scenario probe = plan.base;
    try {
      set_field(&probe, plan.axes[a].path, plan.axes[a].values.front());
    } catch (const std::invalid_argument& e) {
      std::string at = fmt::format("axes[{}]", a);
      throw_input_error(file.locate(at + ".field"), at + ".field", e.what());
    }
  }
  // Axes that cannot all apply together fail here, not at every point.
  if (plan.points > 0) plan.scenario_of(0);
  return plan;
}

}  // namespace kcsim::sweep

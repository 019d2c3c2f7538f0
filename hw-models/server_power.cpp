#include "hw-models/server_power.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "configs/loader/errors.hpp"

namespace kcsim {

double psu_efficiency(const config::ServerPower& server, double load_fraction) {
  const auto& curve = server.psu_efficiency();
  if (curve.empty()) return 1.0;
  if (load_fraction <= curve[0].load_fraction()) return curve[0].efficiency();
  for (int i = 1; i < curve.size(); ++i) {
    const auto& a = curve[i - 1];
    const auto& b = curve[i];
    if (load_fraction <= b.load_fraction()) {
      double along = (load_fraction - a.load_fraction()) / (b.load_fraction() - a.load_fraction());
      return a.efficiency() + (b.efficiency() - a.efficiency()) * along;
    }
  }
  return curve[curve.size() - 1].efficiency();
}

namespace {

// Everything but the supplies' loss at a given device draw and fan speed.
ServerPowerDraw direct_parts(const config::ServerPower& s, const ServerLoad& load) {
  ServerPowerDraw d;
  double held = std::clamp(load.devices_held, 0.0, 1.0);
  double cpu_load = std::clamp(s.cpu_load_per_job() * held, 0.0, 1.0);
  d.cpu_w = s.cpu_idle_w() + (s.cpu_max_w() - s.cpu_idle_w()) * cpu_load;
  d.fixed_w = s.fixed_w();
  d.switch_w = s.switch_idle_w() +
               (s.switch_max_w() - s.switch_idle_w()) * std::clamp(load.switch_busy, 0.0, 1.0);
  return d;
}

double fan_w(const config::ServerPower& s, double heat_w, double max_heat_w) {
  if (!(s.fan_max_w() > 0)) return 0;
  double speed = max_heat_w > 0 ? heat_w / max_heat_w : 1.0;
  speed = std::clamp(speed, std::clamp(s.fan_min_speed(), 0.0, 1.0), 1.0);
  return s.fan_max_w() * speed * speed * speed;
}

}  // namespace

ServerPowerDraw server_power(const config::ServerPower& s, const ServerLoad& load) {
  ServerPowerDraw d = direct_parts(s, load);
  // The fans' reference: the same server with its devices at full load and its CPUs and
  // switches flat out.
  double max_heat =
      load.devices_max_w + s.cpu_max_w() + s.fixed_w() + std::max(s.switch_max_w(), 0.0);
  double heat = load.devices_w + d.cpu_w + d.fixed_w + d.switch_w;
  d.fan_w = fan_w(s, heat, max_heat);
  double dc_w = heat + d.fan_w;
  double rated = s.psu_rated_w();
  double efficiency = psu_efficiency(s, rated > 0 ? dc_w / rated : 1.0);
  d.conversion_w = dc_w / efficiency - dc_w;
  return d;
}

void check_server_power(const config::ServerPower& s, const std::string& where) {
  auto fail = [&](const char* field, const std::string& what) {
    throw InputError(fmt::format("{}: server.{}: {}", where, field, what));
  };
  auto watts = [&](double value, const char* field) {
    if (!(value >= 0 && value < 1e7))
      fail(field, fmt::format("must lie in [0, 1e7) W (got {})", value));
  };
  watts(s.cpu_idle_w(), "cpu_idle_w");
  watts(s.cpu_max_w(), "cpu_max_w");
  watts(s.fixed_w(), "fixed_w");
  watts(s.switch_idle_w(), "switch_idle_w");
  watts(s.switch_max_w(), "switch_max_w");
  watts(s.fan_max_w(), "fan_max_w");
  watts(s.psu_rated_w(), "psu_rated_w");
  watts(s.rated_w(), "rated_w");
  if (s.cpu_max_w() < s.cpu_idle_w()) fail("cpu_max_w", "must be at least cpu_idle_w");
  if (s.switch_max_w() < s.switch_idle_w()) fail("switch_max_w", "must be at least switch_idle_w");
  if (!(s.cpu_load_per_job() >= 0 && s.cpu_load_per_job() <= 1)) {
    fail("cpu_load_per_job", fmt::format("must lie in [0, 1] (got {})", s.cpu_load_per_job()));
  }
  if (!(s.fan_min_speed() >= 0 && s.fan_min_speed() <= 1)) {
    fail("fan_min_speed", fmt::format("must lie in [0, 1] (got {})", s.fan_min_speed()));
  }
  double last = -1;
  for (const auto& p : s.psu_efficiency()) {
    if (!(p.load_fraction() > last && p.load_fraction() <= 2)) {
      fail("psu_efficiency.load_fraction", "must rise from point to point, within (0, 2]");
    }
    if (!(p.efficiency() > 0 && p.efficiency() <= 1)) {
      fail("psu_efficiency.efficiency", fmt::format("must lie in (0, 1] (got {})", p.efficiency()));
    }
    last = p.load_fraction();
  }
  if (s.psu_efficiency_size() > 0 && !(s.psu_rated_w() > 0)) {
    fail("psu_rated_w", "an efficiency curve needs the supplies' rating");
  }
}

}  // namespace kcsim

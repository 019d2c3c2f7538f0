// A server's own power from its load: CPUs by host work, fans as the cube of their speed, the
// supplies' efficiency by load; and the catalog servers against their ratings.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/errors.hpp"
#include "hw-models/server_power.hpp"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinRel;
using namespace kcsim;

namespace {

// Round numbers: CPUs 100 W idle to 500 W, fixed 200 W, switches 50-150 W, fans 1 kW at full
// speed (never below half), supplies of 10 kW at 90 % / 95 % / 92 % by load.
config::ServerPower round_server() {
  config::ServerPower s;
  s.set_cpu_idle_w(100);
  s.set_cpu_max_w(500);
  s.set_cpu_load_per_job(0.5);
  s.set_fixed_w(200);
  s.set_switch_idle_w(50);
  s.set_switch_max_w(150);
  s.set_fan_max_w(1000);
  s.set_fan_min_speed(0.5);
  s.set_psu_rated_w(10000);
  for (auto [load, eff] : {std::pair{0.1, 0.90}, {0.5, 0.95}, {1.0, 0.92}}) {
    auto* p = s.add_psu_efficiency();
    p->set_load_fraction(load);
    p->set_efficiency(eff);
  }
  s.set_rated_w(8000);
  return s;
}

}  // namespace

TEST_CASE("power supplies lose a share that depends on their load", "[hw][server]") {
  auto s = round_server();
  CHECK(psu_efficiency(s, 0.05) == 0.90);  // flat below the first point
  CHECK_THAT(psu_efficiency(s, 0.3), WithinRel(0.925, 1e-12));
  CHECK_THAT(psu_efficiency(s, 0.75), WithinRel(0.935, 1e-12));
  CHECK(psu_efficiency(s, 1.5) == 0.92);
}

TEST_CASE("a server's own draw follows its load", "[hw][server]") {
  auto s = round_server();
  // Full load: devices at their maximum, every device held, switches flat out.
  ServerLoad full{5000, 1, 1, 5000};
  ServerPowerDraw at_full = server_power(s, full);
  CHECK(at_full.cpu_w == 100 + 400 * 0.5);
  CHECK(at_full.switch_w == 150);
  // Heat 5,000 + 300 + 200 + 150 of a reference 5,000 + 500 + 200 + 150: fans at that speed cubed.
  double speed = 5650.0 / 5850.0;
  CHECK_THAT(at_full.fan_w, WithinRel(1000 * speed * speed * speed, 1e-12));
  double dc = 5650 + at_full.fan_w;
  CHECK_THAT(at_full.conversion_w, WithinRel(dc / psu_efficiency(s, dc / 10000) - dc, 1e-12));

  // Idle: no job, fans at their slowest speed, switches idle.
  ServerPowerDraw idle = server_power(s, {400, 0, 0, 5000});
  CHECK(idle.cpu_w == 100);
  CHECK(idle.switch_w == 50);
  CHECK_THAT(idle.fan_w, WithinRel(1000 * 0.125, 1e-12));
  CHECK(idle.overhead_w() < at_full.overhead_w());
  // Half the devices' heat: fans at most a quarter of their full-load power, as the cube says.
  ServerPowerDraw half = server_power(s, {2500, 1, 0.5, 5000});
  CHECK(half.fan_w < 0.3 * at_full.fan_w + 1e-9);
  CHECK(half.overhead_w() < at_full.overhead_w());
  CHECK(half.overhead_w() > idle.overhead_w());
}

TEST_CASE("a server model out of range names its field", "[hw][server]") {
  auto s = round_server();
  s.set_cpu_max_w(50);
  CHECK_THROWS_WITH(check_server_power(s, "node"), ContainsSubstring("server.cpu_max_w"));
  s = round_server();
  s.mutable_psu_efficiency(1)->set_load_fraction(0.05);
  CHECK_THROWS_WITH(check_server_power(s, "node"),
                    ContainsSubstring("server.psu_efficiency.load_fraction"));
  s = round_server();
  s.set_fan_min_speed(2);
  CHECK_THROWS_AS(check_server_power(s, "node"), InputError);
}

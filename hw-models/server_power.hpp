// A server's own power from its load (configs/schema/cluster.proto, ServerPower): host CPUs by the
// host work of the jobs on it, in-server switches by their traffic, fans by the heat they remove
// (speed in proportion to the heat against a fully loaded server, power as the cube of speed,
// never below their slowest speed), and the power supplies' loss at the load they carry. The
// devices' own draw comes in; the devices' and the links' watts are not part of the result.
#pragma once

#include <string>

#include "cluster.pb.h"

namespace kcsim {

// What the server carries over an interval, averaged: the devices' summed draw, the share of
// its devices a job holds, and its in-server switches' traffic as a share of their capacity.
struct ServerLoad {
  double devices_w = 0;
  double devices_held = 0;  // 0..1
  double switch_busy = 0;   // 0..1
  // Heat of the devices at full load (their TDPs summed), the fans' reference.
  double devices_max_w = 0;
};

// The parts of a server's draw apart from its devices, watts. `conversion_w` is the supplies'
// loss on everything they feed (devices included).
struct ServerPowerDraw {
  double cpu_w = 0;
  double fixed_w = 0;
  double switch_w = 0;
  double fan_w = 0;
  double conversion_w = 0;
  double overhead_w() const { return cpu_w + fixed_w + switch_w + fan_w + conversion_w; }
};

// The supplies' efficiency at `load_fraction` of their rating (1 when none are given).
double psu_efficiency(const config::ServerPower& server, double load_fraction);

ServerPowerDraw server_power(const config::ServerPower& server, const ServerLoad& load);

// Checks a server model; throws InputError naming `where` and the field.
void check_server_power(const config::ServerPower& server, const std::string& where);

}  // namespace kcsim

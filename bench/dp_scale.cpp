// The data-parallel workload of the team's Chakra sample (tests/data/chakra-dp16/README.md) on
// the event engine at growing device counts: 24 layers, forward 1 ms and backward 2 ms each, a
// 64 MiB ring all-reduce after every backward; 8 devices per server at 400 GB/s and 936.25 ns,
// a second level at 50 GB/s per device and 2,000 ns. Prints the simulated step, the wall time
// and the peak memory of each run (each in its own process).
//   kcsim_dp_scale [DEVICES...]   (default: 16 64 256 1024)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include "sim/event/isolated_run.hpp"
#include "sim/event/platform.hpp"
#include "sim/event/ring_flows.hpp"
#include "topology/cluster_topology.hpp"

namespace {

namespace sg4 = simgrid::s4u;
using namespace kcsim;

constexpr int kLayers = 24;
constexpr double kForwardS = 1e-3, kBackwardS = 2e-3;
constexpr double kAllReduceBytes = 64.0 * 1024 * 1024;

config::Cluster dp_cluster(int devices) {
  config::Cluster cluster;
  cluster.set_name(fmt::format("dp{}", devices));
  cluster.set_nodes(devices / 8);
  auto* node = cluster.mutable_node();
  node->set_chip("generic");
  node->set_devices_per_node(8);
  node->set_fabric(config::NVSWITCH);
  node->mutable_intra_node()->set_bandwidth_gb_per_s(400);
  node->mutable_intra_node()->set_latency_ns(936.25);
  auto* net = cluster.mutable_scale_out();
  net->set_kind("rail-optimized");
  net->set_nic_bandwidth_gbit_per_s(400);
  net->set_latency_ns(2000);
  return cluster;
}

config::Chip generic_chip() {
  config::Chip chip;
  chip.set_name("generic");
  chip.mutable_host_link()->set_bandwidth_gb_per_s(64);
  return chip;
}

std::string run(int devices) {
  auto wall_start = std::chrono::steady_clock::now();
  auto engine_owner = event::start_engine();
  auto& engine = *engine_owner;

  auto topology = topology::build_cluster_topology(dp_cluster(devices), generic_chip());
  auto platform = event::build_platform(engine, topology);
  std::vector<sg4::SemaphorePtr> ready;
  for (int rank = 0; rank < devices; ++rank) ready.push_back(sg4::Semaphore::create(0));

  for (int rank = 0; rank < devices; ++rank) {
    // The communication stream: one all-reduce per layer, in the order backward frees them.
    auto stream = sg4::Actor::create(fmt::format("nccl{}", rank), platform.devices[rank], [&, rank] {
      for (int layer = kLayers - 1; layer >= 0; --layer) {
        ready[rank]->acquire();
        event::CollectiveCall call{fmt::format("ar{}", layer),
                                   devices,
                                   [&platform](int position) { return platform.devices[position]; },
                                   8,
                                   Collective::AllReduce,
                                   kAllReduceBytes,
                                   1.0,
                                   1,
                                   /*intra_node_private=*/true};
        event::run_collective(call, rank);
      }
    });
    sg4::Actor::create(fmt::format("compute{}", rank), platform.devices[rank], [&, rank, stream] {
      for (int layer = 0; layer < kLayers; ++layer) {
        sg4::this_actor::execute(kForwardS * event::kHostFlopsPerS);
      }
      for (int layer = kLayers - 1; layer >= 0; --layer) {
        sg4::this_actor::execute(kBackwardS * event::kHostFlopsPerS);
        ready[rank]->release();
      }
      stream->join();
    });
  }
  engine.run();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return fmt::format("{} {} {}", sg4::Engine::get_clock(), wall, usage.ru_maxrss);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts;
  for (int i = 1; i < argc; ++i) counts.push_back(std::stoi(argv[i]));
  if (counts.empty()) counts = {16, 64, 256, 1024};
  std::printf("%8s  %12s  %10s  %12s\n", "devices", "step ms", "wall s", "peak MiB");
  for (int devices : counts) {
    std::string out = event::run_isolated([devices] { return run(devices); });
    double step = 0, wall = 0, rss_kib = 0;
    std::sscanf(out.c_str(), "%lf %lf %lf", &step, &wall, &rss_kib);
    std::printf("%8d  %12.3f  %10.2f  %12.1f\n", devices, step * 1e3, wall, rss_kib / 1024);
    std::fflush(stdout);
  }
  return 0;
}

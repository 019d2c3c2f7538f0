#include "sim/engines/event/platform/slice_exchange.hpp"

#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "sim/engines/event/platform/ring_flows.hpp"

namespace kcsim::event {
namespace sg4 = simgrid::s4u;

void SliceExchange::post(const Key& key, Routes routes, double bytes) {
  double now = sg4::Engine::get_clock();
  // Observers see each slice when it is posted, as they see a pipeline send (ring_flows.hpp).
  for (const auto& [from, to] : routes) flow_signal().emit({from, to, bytes, now, now});
  auto& transfer = transfers_[key];
  transfer.routes = std::move(routes);
  transfer.bytes = bytes;
  transfer.posted = true;
  if (transfer.waiting) transfer.waiting->release();
}

void SliceExchange::receive(const Key& key, const sg4::SemaphorePtr& wakeup) {
  auto found = transfers_.find(key);
  if (found == transfers_.end() || !found->second.posted) {
    transfers_[key].waiting = wakeup.get();
    wakeup->acquire();
    found = transfers_.find(key);
  }
  const Transfer& transfer = found->second;
  std::vector<sg4::CommPtr> slices;
  slices.reserve(transfer.routes.size());
  for (const auto& [from, to] : transfer.routes) {
    slices.push_back(sg4::Comm::sendto_async(from, to, static_cast<uint64_t>(transfer.bytes)));
  }
  transfers_.erase(found);
  sg4::Comm::wait_all(slices);
}

}  // namespace kcsim::event

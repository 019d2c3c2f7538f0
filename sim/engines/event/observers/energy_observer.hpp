// An observer of the event engine that accounts device energy: every compute span is an interval
// of the device at its compute's draw, every collective span one at a collective's draw; the
// time between spans the device waits, held by the job. The engine knows nothing of it.
#pragma once

#include "sim/engines/event/platform/span_signal.hpp"
#include "sim/power/energy_ledger.hpp"

namespace kcsim::event {

class EnergyObserver {
 public:
  // Devices draw `busy` during their compute spans, `collective` during their collective spans
  // and `wait` between them.
  EnergyObserver(const ChipModel& chip, int devices, const DevicePower& busy,
                 const DevicePower& collective, const DevicePower& wait)
      : ledger_(chip, devices, wait), busy_(busy), collective_(collective) {}
  // Subscribes to spans until the observer is destroyed.
  void attach();
  const EnergyLedger& ledger() const { return ledger_; }

 private:
  EnergyLedger ledger_;
  DevicePower busy_, collective_;
  SpanSignal::Connection span_connection_;
};

}  // namespace kcsim::event

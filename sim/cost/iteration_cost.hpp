// What one serving iteration of a replica costs: its compute, its waits and the state it ran at.
#pragma once

#include "hw-models/op_cost.hpp"

namespace kcsim {

// One iteration of a replica: `sequences` each computing `new_tokens` against `context` tokens.
// With pp stages and one batch in flight the stages run one after another: `compute` is every
// stage's ops back to back (one TP rank's), and the iteration adds the sends between stages.
struct IterationCost {
  OpCost compute;        // one TP rank's ops over all stages, back to back
  double tp_comm_s = 0;  // tensor-parallel all-reduces
  double host_s = 0;     // the runtime's per-iteration host work, the device idle meanwhile
  double pp_comm_s = 0;  // activations sent from each stage to the next (pp - 1 sends)
  // The DVFS state the whole iteration runs at: the power limiter acts over milliseconds, so
  // the collectives and waits between kernels run at the compute's clock (a mix of two states
  // when the limiter alternates; serving_energy.hpp).
  DvfsPoint state;
  double time_s() const { return compute.time_s + tp_comm_s + host_s + pp_comm_s; }
};

}  // namespace kcsim

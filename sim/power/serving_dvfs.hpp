// A serving iteration priced at the DVFS states a replica may run it at. The device's power
// limit (its TDP, or the job's device_power_cap_w) rules out the states above the fastest one
// whose draw fits, chosen per iteration from that iteration's work as the analytical engine
// chooses per phase (hw-models/dvfs.hpp): a compute-bound prefill slows about as 1/f, a
// memory-bound decode keeps its clock. The slower states are priced too when a cluster-wide cap
// may move the iteration there (serving_power_cap.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hw-models/dvfs.hpp"
#include "sim/cost/serving_batch_cost.hpp"
#include "sim/power/serving_energy.hpp"

namespace kcsim {

struct IterationAtStates {
  int first_state = 0;  // the fastest state the device's power limit allows (0: nominal)
  // By state, in dvfs_states order; entries above first_state are left empty, and so are the
  // slower ones when they were not asked for. At first_state the work may alternate with the
  // state above (the limiter sitting at the limit), or be stretched when even the slowest
  // state drew more than the limit.
  std::vector<IterationCost> cost;
  std::vector<IterationEnergy> energy;  // one device's
  std::vector<double> power_w;          // one device's draw averaged over the iteration
  std::vector<double> speed;            // the compute's relative clock, time-weighted
  size_t states() const { return cost.size(); }
};

class DvfsBatchCost {
 public:
  DvfsBatchCost(const ClusterModel& cluster, const ServingSpec& spec);

  const std::vector<DvfsPoint>& states() const { return states_; }
  // `batch` at the fastest state under the device's power limit; with `slower_states`, at every
  // state below it as well. A batch of a shape priced before (the same prompt chunks, decode
  // sequences and mean decode context: all its cost depends on) gets the same pricing back: a
  // serving run's iterations come in a few hundred shapes.
  std::shared_ptr<const IterationAtStates> price(const MixedBatch& batch, bool slower_states);

 private:
  struct Shape {
    std::vector<std::pair<int64_t, int64_t>> prefill_chunks;  // sorted
    int64_t decode_sequences = 0;
    int64_t decode_context = 0;
    bool slower_states = false;
    bool operator==(const Shape&) const = default;
  };
  struct ShapeHash {
    size_t operator()(const Shape& shape) const;
  };

  IterationAtStates price_anew(const MixedBatch& batch, bool slower_states);
  void fill(IterationAtStates& it, size_t state) const;

  const ClusterModel& cluster_;
  double device_cap_w_ = 0;  // the device's power limit
  int pp_ = 1;               // pipeline stages per replica
  std::vector<DvfsPoint> states_;
  std::vector<BatchCostModel> models_;  // one per state, each with its own caches
  std::unordered_map<Shape, std::shared_ptr<const IterationAtStates>, ShapeHash> priced_;
};

}  // namespace kcsim
